package main

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// cannedInvokes answer the data sources a program may call, as the account
// 123456789012 in the commercial partition would, in the provider's region.
// regionctl's program calls none today; these cover the common ones so a
// new call fails here with a clear message only when it needs a new answer.
var cannedInvokes = map[string]func(region string, args resource.PropertyMap) map[string]any{
	"aws:index/getCallerIdentity:getCallerIdentity": func(string, resource.PropertyMap) map[string]any {
		return map[string]any{
			"accountId": accountID,
			"arn":       "arn:aws:iam::" + accountID + ":role/regionctl-standin",
			"userId":    "AROASTANDIN00000000000",
			"id":        accountID,
		}
	},
	"aws:index/getPartition:getPartition": func(string, resource.PropertyMap) map[string]any {
		return map[string]any{
			"partition":        "aws",
			"dnsSuffix":        "amazonaws.com",
			"reverseDnsPrefix": "com.amazonaws",
			"id":               "aws",
		}
	},
	"aws:index/getRegion:getRegion": func(region string, args resource.PropertyMap) map[string]any {
		if r := str(args, "region", str(args, "name", "")); r != "" {
			region = r
		}
		return map[string]any{
			"name":        region,
			"region":      region,
			"endpoint":    "ec2." + region + ".amazonaws.com",
			"description": region,
			"id":          region,
		}
	},
	"aws:index/getAvailabilityZones:getAvailabilityZones": func(region string, _ resource.PropertyMap) map[string]any {
		return map[string]any{
			"names":      []any{region + "a", region + "b", region + "c"},
			"zoneIds":    []any{"use1-az1", "use1-az2", "use1-az3"},
			"id":         region,
			"groupNames": []any{region},
		}
	},
}

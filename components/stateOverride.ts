/**
 * Environment variable naming a state file the program reads instead of the store (previews only).
 * The program owns the name; the stack engine adapter sets it.
 */
export const STATE_OVERRIDE_ENV = "REGIONCTL_STATE_OVERRIDE_FILE";

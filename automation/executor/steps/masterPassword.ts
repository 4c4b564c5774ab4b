import { randomInt } from "node:crypto";

/**
 * Characters of a new master password: letters, digits and the symbols the program's first
 * password uses. Aurora refuses '/', '@', '"' and spaces.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + "!#$%^&*()-_=+[]{}<>:?";

export const MASTER_PASSWORD_LENGTH = 32;

/** A new master password from the operating system's cryptographic generator. */
export function newMasterPassword(length = MASTER_PASSWORD_LENGTH): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * What happens to a Group member whose value names no User or Group (RFC 7643 section 4.2 does not require a
 * check): `accept` stores it as sent, `reject` answers 400 invalidValue, `notFound` 404, `drop` discards it.
 * A module of its own so that the options (src/config.ts) name the policies without loading the SCIM service.
 */
export type MemberPolicy = 'accept' | 'reject' | 'notFound' | 'drop';
export const MEMBER_POLICIES: readonly MemberPolicy[] = ['accept', 'reject', 'notFound', 'drop'];

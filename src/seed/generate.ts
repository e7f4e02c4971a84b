/**
 * The deterministic fake directory generator.
 *
 * Same options (seed, counts, departments, ratio, reference date) give byte-identical output on every machine
 * and every run: all randomness comes from one seeded faker randomizer, shared by a few locale-specific Faker
 * instances created fresh for each call; no system clock, no Math.random. Timestamps are derived from the
 * reference date.
 *
 * Output uses the shared resource representation: `schemas`, `id`, `externalId`, `meta` {resourceType, created,
 * lastModified} (no version, no location), core attributes at the top level and the enterprise extension under
 * its URN. Users carry no `groups` (the server computes it), members carry no `$ref`.
 *
 * The output is compact, as the store keeps resources: strings are flat, and values that repeat are one value
 * shared by reference (the `schemas` lists and an office's `addresses` list are frozen and shared by every
 * resource that has them; nothing changes a stored value in place).
 */
import type { Faker } from '@faker-js/faker';
// The locale modules alone (each a Faker instance over [locale, en, base]): faker's main entry loads all locales.
import { faker as de } from '@faker-js/faker/locale/de';
import { faker as en_GB } from '@faker-js/faker/locale/en_GB';
import { faker as en_US } from '@faker-js/faker/locale/en_US';
import { faker as es } from '@faker-js/faker/locale/es';
import { faker as fr } from '@faker-js/faker/locale/fr';
import { faker as nl } from '@faker-js/faker/locale/nl';
import { faker as sv } from '@faker-js/faker/locale/sv';
import { parseRfc3339 } from '../scim/datetime.js';
import { flat } from '../scim/strings.js';
import { DEFAULT_REFERENCE_DATE } from './generator.js';
import { mersenne53 } from './mersenne.js';
import { runSteps, type Steps } from './steps.js';

export type Resource = Record<string, unknown>;

export interface GenerateOptions {
  /** Integer seed; any safe integer (negative and > 2^32 values are distinct seeds). */
  seed: number;
  /** Number of users to generate (non-negative integer). */
  users: number;
  /** Number of groups to generate: department groups first, then project groups. */
  groups: number;
  /** Department names (unique, non-empty). Default: DEFAULT_DEPARTMENTS. */
  departments?: string[];
  /** Share of users with `active: false`, in [0, 1]. Exactly round(ratio * users) users. Default 0.05. */
  inactiveRatio?: number;
  /** Whether a few project groups contain other groups as members. Default true. */
  nestedGroups?: boolean;
  /** RFC 3339 date-time all timestamps are derived from (none is later). Default DEFAULT_REFERENCE_DATE. */
  referenceDate?: string;
  /** Called about every 1,000 generated resources and once at the end with done === total (users + groups). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Give every `meta` a `version`: W/"1", W/"2", ... in output order (users, then groups), as a store that has
   * just stored them would. Default false (no version).
   */
  versions?: boolean;
}

export interface GeneratedDirectory {
  users: Resource[];
  groups: Resource[];
}

export { DEFAULT_REFERENCE_DATE };
export const DEFAULT_INACTIVE_RATIO = 0.05;
export const DEFAULT_DEPARTMENTS: readonly string[] = Object.freeze([
  'Engineering',
  'Sales',
  'Customer Support',
  'Operations',
  'Marketing',
  'Product',
  'Finance',
  'Information Technology',
  'Human Resources',
  'Legal',
]);

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** `schemas` of every generated user and group: one frozen list each, shared. */
const USER_SCHEMAS: readonly string[] = Object.freeze([USER_SCHEMA, ENTERPRISE_SCHEMA]);
const GROUP_SCHEMAS: readonly string[] = Object.freeze([GROUP_SCHEMA]);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Users are created over the three years before the reference date. */
const HISTORY_MS = 3 * 365 * DAY_MS;
const MAX_ROOTS = 5;
/** "A few" project groups get a group member. */
const MAX_NESTING_GROUPS = 25;
const PROGRESS_EVERY = 1000;
const LAST_NAME_POOL = 1500;
const WORK_DOMAIN = 'example.com';
const HOME_DOMAINS = ['example.net', 'example.org'];

// ---------------------------------------------------------------------------------------------------------------
// Static data: regions (locale, offices, time zones) and department profiles

interface City {
  locality: string;
  region: string;
  timezone: string;
  /** E.164 prefix of the office's landlines (country code + area code) and how many digits follow it. */
  phone: [prefix: string, digits: number];
}

interface RegionDef {
  /** The locale's Faker instance: its definitions (locale, then en, then base) are used with our own randomizer. */
  locale: Faker;
  /** ISO 3166-1 alpha-2, as RFC 7643 4.1.2 recommends for addresses.country. */
  country: string;
  countryName: string;
  /** BCP 47 tag used for `locale` and (mostly) `preferredLanguage`. */
  tag: string;
  weight: number;
  cities: City[];
  /** E.164 prefixes of mobile numbers and how many digits follow them. */
  mobile: [prefixes: string[], digits: number];
  format: (a: { streetAddress: string; locality: string; region: string; postalCode: string; countryName: string }) => string;
}

const formatUs: RegionDef['format'] = (a) => `${a.streetAddress}\n${a.locality}, ${a.region} ${a.postalCode}\n${a.countryName}`;
const formatGb: RegionDef['format'] = (a) => `${a.streetAddress}\n${a.locality}\n${a.postalCode}\n${a.countryName}`;
const formatEu: RegionDef['format'] = (a) => `${a.streetAddress}\n${a.postalCode} ${a.locality}\n${a.countryName}`;

const REGIONS: RegionDef[] = [
  {
    locale: en_US, country: 'US', countryName: 'United States', tag: 'en-US', weight: 40, format: formatUs,
    mobile: [['+1332', '+1646', '+1917', '+1628', '+1737', '+1720'], 7],
    cities: [
      { locality: 'New York', region: 'NY', timezone: 'America/New_York', phone: ['+1212', 7] },
      { locality: 'Boston', region: 'MA', timezone: 'America/New_York', phone: ['+1617', 7] },
      { locality: 'Chicago', region: 'IL', timezone: 'America/Chicago', phone: ['+1312', 7] },
      { locality: 'Austin', region: 'TX', timezone: 'America/Chicago', phone: ['+1512', 7] },
      { locality: 'Denver', region: 'CO', timezone: 'America/Denver', phone: ['+1303', 7] },
      { locality: 'San Francisco', region: 'CA', timezone: 'America/Los_Angeles', phone: ['+1415', 7] },
      { locality: 'Seattle', region: 'WA', timezone: 'America/Los_Angeles', phone: ['+1206', 7] },
    ],
  },
  {
    locale: en_GB, country: 'GB', countryName: 'United Kingdom', tag: 'en-GB', weight: 12, format: formatGb,
    mobile: [['+447'], 9],
    cities: [
      { locality: 'London', region: 'England', timezone: 'Europe/London', phone: ['+4420', 8] },
      { locality: 'Manchester', region: 'England', timezone: 'Europe/London', phone: ['+44161', 7] },
      { locality: 'Edinburgh', region: 'Scotland', timezone: 'Europe/London', phone: ['+44131', 7] },
    ],
  },
  {
    locale: de, country: 'DE', countryName: 'Germany', tag: 'de-DE', weight: 14, format: formatEu,
    mobile: [['+49151', '+49160', '+49170', '+49176'], 8],
    cities: [
      { locality: 'Berlin', region: 'Berlin', timezone: 'Europe/Berlin', phone: ['+4930', 8] },
      { locality: 'München', region: 'Bayern', timezone: 'Europe/Berlin', phone: ['+4989', 8] },
      { locality: 'Hamburg', region: 'Hamburg', timezone: 'Europe/Berlin', phone: ['+4940', 8] },
    ],
  },
  {
    locale: fr, country: 'FR', countryName: 'France', tag: 'fr-FR', weight: 12, format: formatEu,
    mobile: [['+336', '+337'], 8],
    cities: [
      { locality: 'Paris', region: 'Île-de-France', timezone: 'Europe/Paris', phone: ['+331', 8] },
      { locality: 'Lyon', region: 'Auvergne-Rhône-Alpes', timezone: 'Europe/Paris', phone: ['+334', 8] },
    ],
  },
  {
    locale: es, country: 'ES', countryName: 'Spain', tag: 'es-ES', weight: 10, format: formatEu,
    mobile: [['+346'], 8],
    cities: [
      { locality: 'Madrid', region: 'Comunidad de Madrid', timezone: 'Europe/Madrid', phone: ['+3491', 7] },
      { locality: 'Barcelona', region: 'Cataluña', timezone: 'Europe/Madrid', phone: ['+3493', 7] },
    ],
  },
  {
    locale: sv, country: 'SE', countryName: 'Sweden', tag: 'sv-SE', weight: 6, format: formatEu,
    mobile: [['+4670', '+4672', '+4673'], 7],
    cities: [
      { locality: 'Stockholm', region: 'Stockholm', timezone: 'Europe/Stockholm', phone: ['+468', 7] },
      { locality: 'Göteborg', region: 'Västra Götaland', timezone: 'Europe/Stockholm', phone: ['+4631', 7] },
    ],
  },
  {
    locale: nl, country: 'NL', countryName: 'Netherlands', tag: 'nl-NL', weight: 6, format: formatEu,
    mobile: [['+316'], 8],
    cities: [
      { locality: 'Amsterdam', region: 'Noord-Holland', timezone: 'Europe/Amsterdam', phone: ['+3120', 7] },
      { locality: 'Rotterdam', region: 'Zuid-Holland', timezone: 'Europe/Amsterdam', phone: ['+3110', 7] },
    ],
  },
];

interface DepartmentProfile {
  weight: number;
  division: string;
  individual: string[];
  managers: string[];
  head: string;
}

const KNOWN_DEPARTMENTS: ReadonlyMap<string, DepartmentProfile> = new Map([
  ['Engineering', {
    weight: 28, division: 'Technology', head: 'VP of Engineering',
    individual: ['Software Engineer', 'Senior Software Engineer', 'Staff Software Engineer', 'Site Reliability Engineer',
      'QA Engineer', 'Data Engineer', 'Frontend Developer', 'Security Engineer'],
    managers: ['Engineering Manager', 'Senior Engineering Manager', 'Director of Engineering'],
  }],
  ['Sales', {
    weight: 16, division: 'Commercial', head: 'VP of Sales',
    individual: ['Account Executive', 'Senior Account Executive', 'Sales Development Representative',
      'Solutions Consultant', 'Sales Operations Analyst'],
    managers: ['Sales Manager', 'Regional Sales Director'],
  }],
  ['Customer Support', {
    weight: 12, division: 'Commercial', head: 'VP of Customer Experience',
    individual: ['Support Specialist', 'Senior Support Engineer', 'Customer Success Manager', 'Technical Account Manager'],
    managers: ['Support Team Lead', 'Director of Customer Support'],
  }],
  ['Operations', {
    weight: 8, division: 'Operations', head: 'VP of Operations',
    individual: ['Operations Analyst', 'Facilities Coordinator', 'Procurement Specialist', 'Program Manager'],
    managers: ['Operations Manager', 'Director of Operations'],
  }],
  ['Marketing', {
    weight: 8, division: 'Commercial', head: 'VP of Marketing',
    individual: ['Marketing Specialist', 'Content Strategist', 'Product Marketing Manager', 'Growth Analyst', 'Brand Designer'],
    managers: ['Marketing Manager', 'Director of Marketing'],
  }],
  ['Product', {
    weight: 8, division: 'Technology', head: 'VP of Product',
    individual: ['Product Manager', 'Senior Product Manager', 'Product Designer', 'UX Researcher', 'Technical Writer'],
    managers: ['Group Product Manager', 'Director of Product'],
  }],
  ['Finance', {
    weight: 6, division: 'Corporate', head: 'VP of Finance',
    individual: ['Financial Analyst', 'Accountant', 'Payroll Specialist', 'Accounts Payable Clerk', 'Tax Specialist'],
    managers: ['Finance Manager', 'Controller'],
  }],
  ['Information Technology', {
    weight: 6, division: 'Technology', head: 'Head of IT',
    individual: ['IT Support Technician', 'Systems Administrator', 'Identity Engineer', 'Network Engineer', 'IT Asset Coordinator'],
    managers: ['IT Manager', 'Director of IT'],
  }],
  ['Human Resources', {
    weight: 5, division: 'Corporate', head: 'VP of People',
    individual: ['HR Generalist', 'Recruiter', 'Talent Acquisition Partner', 'People Operations Specialist',
      'Learning and Development Specialist'],
    managers: ['HR Manager', 'HR Business Partner Lead'],
  }],
  ['Legal', {
    weight: 3, division: 'Corporate', head: 'General Counsel',
    individual: ['Corporate Counsel', 'Paralegal', 'Compliance Analyst', 'Contracts Manager', 'Privacy Analyst'],
    managers: ['Senior Counsel', 'Director of Compliance'],
  }],
]);

const DIVISIONS = ['Corporate', 'Technology', 'Commercial', 'Operations'];

const ROOT_TITLES = [
  'Chief Executive Officer',
  'Chief Operating Officer',
  'Chief Technology Officer',
  'Chief Financial Officer',
  'Chief Revenue Officer',
];

const USER_TYPES: Array<[string, number]> = [
  ['Employee', 86],
  ['Contractor', 9],
  ['Intern', 4],
  ['Temporary', 1],
];

const NICKNAMES: ReadonlyMap<string, string> = new Map([
  ['Alexander', 'Alex'], ['Alexandra', 'Alex'], ['Andrew', 'Andy'], ['Anthony', 'Tony'], ['Barbara', 'Babs'],
  ['Benjamin', 'Ben'], ['Christopher', 'Chris'], ['Christina', 'Tina'], ['Daniel', 'Dan'], ['Deborah', 'Debbie'],
  ['Dorothy', 'Dot'], ['Edward', 'Ed'], ['Elizabeth', 'Liz'], ['Frederick', 'Fred'], ['Gregory', 'Greg'],
  ['James', 'Jim'], ['Jennifer', 'Jen'], ['Jonathan', 'Jon'], ['Joseph', 'Joe'], ['Joshua', 'Josh'],
  ['Katherine', 'Kate'], ['Kimberly', 'Kim'], ['Margaret', 'Maggie'], ['Matthew', 'Matt'], ['Michael', 'Mike'],
  ['Nicholas', 'Nick'], ['Patricia', 'Pat'], ['Rebecca', 'Becky'], ['Richard', 'Rick'], ['Robert', 'Bob'],
  ['Samantha', 'Sam'], ['Samuel', 'Sam'], ['Stephanie', 'Steph'], ['Susan', 'Sue'], ['Theodore', 'Ted'],
  ['Thomas', 'Tom'], ['Timothy', 'Tim'], ['Victoria', 'Vicky'], ['William', 'Will'], ['Zachary', 'Zach'],
  ['Johannes', 'Hannes'], ['Maximilian', 'Max'], ['Wolfgang', 'Wolfi'], ['Francisco', 'Paco'], ['José', 'Pepe'],
  ['Guillermo', 'Memo'], ['Dolores', 'Lola'], ['Mercedes', 'Meche'], ['Guillaume', 'Guigui'], ['Frédéric', 'Fred'],
  ['Johan', 'Jojje'], ['Jacobus', 'Koos'], ['Johanna', 'Hanna'], ['Nathalie', 'Nat'],
]);

// ---------------------------------------------------------------------------------------------------------------

interface Office {
  region: RegionDef;
  regionIndex: number;
  faker: Faker;
  phone: [prefix: string, digits: number];
  timezone: string;
  /** The `addresses` of every user of this office: one frozen list, shared (nothing changes a stored value in place). */
  addresses: readonly Resource[];
}

interface Department {
  name: string;
  profile: DepartmentProfile;
  costCenter: string;
  /** The title of the department's interns (one string shared by all of them). */
  internTitle: string;
  /** Users (indices) of this department, in creation order. */
  members: number[];
  /** Managers of this department with remaining span, in creation order (breadth-first filling). */
  managerQueue: number[];
  queueHead: number;
  /** Whether the department's head (its first non-root user) exists yet. */
  hasHead: boolean;
}

/** Build the fake directory. Throws RangeError/TypeError on invalid options. */
export function generateDirectory(options: GenerateOptions): GeneratedDirectory {
  return runSteps(generateDirectorySteps(options));
}

/**
 * generateDirectory in steps: the generator yields every few milliseconds of work (between users, between
 * groups), so a caller can let other work run in between (seeding a tenant while the server serves others).
 * Where it yields changes nothing in the output. Throws RangeError/TypeError on invalid options (at the first step).
 */
export function* generateDirectorySteps(options: GenerateOptions): Steps<GeneratedDirectory> {
  const opts = checkOptions(options);
  const { users: userCount, groups: groupCount } = opts;

  const randomizer = mersenne53(seedValue(opts.seed));
  const FakerClass = en_US.constructor as typeof Faker;
  const faker = new FakerClass({ locale: en_US.rawDefinitions, randomizer });
  faker.setDefaultRefDate(opts.referenceMs);
  const regionFakers = REGIONS.map((r) => {
    const f = new FakerClass({ locale: r.locale.rawDefinitions, randomizer });
    f.setDefaultRefDate(opts.referenceMs);
    return f;
  });

  const float = (): number => faker.number.float();
  const int = (max: number): number => Math.min(max, Math.floor(float() * (max + 1)));
  const pick = <T>(items: readonly T[]): T => items[int(items.length - 1)]!;
  const uuid = (): string => {
    const a = faker.number.int(0xffffffff);
    const b = faker.number.int(0xffffffff);
    const c = faker.number.int(0xffffffff);
    const d = faker.number.int(0xffffffff);
    // version 4 in the 13th hex digit, RFC 4122 variant (8, 9, a or b) in the 17th
    return flat(
      HEX[a >>> 24]! + HEX[(a >>> 16) & 255]! + HEX[(a >>> 8) & 255]! + HEX[a & 255]! + '-' +
      HEX[b >>> 24]! + HEX[(b >>> 16) & 255]! + '-' +
      HEX[((b >>> 8) & 15) | 0x40]! + HEX[b & 255]! + '-' +
      HEX[((c >>> 24) & 0x3f) | 0x80]! + HEX[(c >>> 16) & 255]! + '-' +
      HEX[(c >>> 8) & 255]! + HEX[c & 255]! +
      HEX[d >>> 24]! + HEX[(d >>> 16) & 255]! + HEX[(d >>> 8) & 255]! + HEX[d & 255]!
    );
  };

  /** `n` (<= 9) digits, the first one from 2 to 9: the subscriber part of a phone number. */
  const digits = (n: number): string => {
    const rest = n - 1;
    return String(2 + int(7)) + String(int(10 ** rest - 1)).padStart(rest, '0');
  };

  // Family names: some locales compose them from patterns (Spanish double surnames), which is slow in faker;
  // draw the first LAST_NAME_POOL of each region and sex from faker, then reuse those.
  const lastNamePools = REGIONS.map(() => ({ female: [] as string[], male: [] as string[] }));
  const lastName = (regionIndex: number, sex: 'female' | 'male'): string => {
    const pool = lastNamePools[regionIndex]![sex];
    if (pool.length < LAST_NAME_POOL) {
      const drawn = regionFakers[regionIndex]!.person.lastName(sex);
      pool.push(drawn);
      return drawn;
    }
    return pool[int(pool.length - 1)]!;
  };

  const total = userCount + groupCount;
  let done = 0;
  const tick = (): void => {
    done++;
    if (opts.onProgress && done % PROGRESS_EVERY === 0 && done !== total) opts.onProgress(done, total);
  };

  // --- organisation-wide data
  const organization = faker.company.name();
  const departments: Department[] = opts.departments.map((name, i) => {
    const known = KNOWN_DEPARTMENTS.get(name);
    const profile: DepartmentProfile = known ?? {
      weight: 10 / Math.sqrt(i + 1),
      division: pick(DIVISIONS),
      head: `Head of ${name}`,
      individual: [`${name} Specialist`, `Senior ${name} Specialist`, `${name} Analyst`, `${name} Coordinator`, `${name} Associate`],
      managers: [`${name} Manager`, `Director of ${name}`],
    };
    return {
      name,
      profile,
      costCenter: String(1000 + 100 * (i + 1) + int(99)),
      internTitle: flat(`${name} Intern`),
      members: [],
      managerQueue: [],
      queueHead: 0,
      hasHead: false,
    };
  });
  const departmentWeights = cumulative(departments.map((d) => d.profile.weight));
  const regionWeights = cumulative(REGIONS.map((r) => r.weight));
  const userTypeWeights = cumulative(USER_TYPES.map(([, w]) => w));

  const officesByRegion: Office[][] = REGIONS.map((region, r) => {
    const rf = regionFakers[r]!;
    return region.cities.map((city) => {
      const streetAddress = rf.location.streetAddress();
      const postalCode = rf.location.zipCode();
      const address = Object.freeze({
        type: 'work',
        streetAddress,
        locality: city.locality,
        region: city.region,
        postalCode,
        country: region.country,
        formatted: flat(region.format({
          streetAddress, locality: city.locality, region: city.region, postalCode, countryName: region.countryName,
        })),
        primary: true,
      });
      return { region, regionIndex: r, faker: rf, phone: city.phone, timezone: city.timezone, addresses: Object.freeze([address]) };
    });
  });

  // --- users
  const rootCount = userCount === 0 ? 0 : Math.min(MAX_ROOTS, Math.max(1, Math.round(userCount / 500)));
  const inactive = chooseSubset(userCount, Math.round(opts.inactiveRatio * userCount), int);
  const userNames = new Set<string>();
  const ids: string[] = new Array(userCount);
  const displayNames: string[] = new Array(userCount);
  const createdMs = new Float64Array(userCount);
  const users: Resource[] = new Array(userCount);
  const slot = userCount > 0 ? HISTORY_MS / userCount : 0;
  const historyStart = opts.referenceMs - HISTORY_MS;
  let employeeNumber = 100000 + int(99999);

  // Pass 1, the organisation chart. Roots have no manager; each department's head (its first non-root user)
  // reports to a root; every other user reports to an earlier employee of the same department, filled
  // breadth-first with spans of 3 to 10, so the tree is shallow (depth ~ log(n) / log(6)). A manager is always
  // an earlier user, so following managers never cycles.
  const deptOf = new Int32Array(userCount);
  const userTypeOf = new Uint8Array(userCount);
  const managerOf = new Int32Array(userCount).fill(-1);
  const reports = new Int32Array(userCount);
  const span = new Int32Array(userCount); // remaining direct-report capacity
  const isHeadOf = new Uint8Array(userCount);
  for (let i = 0; i < userCount; i++) {
    const isRoot = i < rootCount;
    const deptIndex = isRoot ? i % departments.length : weighted(departmentWeights, float());
    const dept = departments[deptIndex]!;
    const isHead = !isRoot && !dept.hasHead;
    if (isHead) dept.hasHead = true;
    const userType = isRoot || isHead ? 0 : weighted(userTypeWeights, float());
    deptOf[i] = deptIndex;
    userTypeOf[i] = userType;
    isHeadOf[i] = isHead ? 1 : 0;
    if (!isRoot && rootCount > 0) {
      const manager = isHead ? deptIndex % rootCount : (takeManager(dept, span, int) ?? int(rootCount - 1));
      managerOf[i] = manager;
      reports[manager]!++;
    }
    if (!isRoot && userType === 0) {
      span[i] = isHead ? 4 + int(6) : 3 + int(7);
      dept.managerQueue.push(i);
    }
    if ((i & 4095) === 4095) yield;
  }

  for (let i = 0; i < userCount; i++) {
    const isRoot = i < rootCount;
    const deptIndex = deptOf[i]!;
    const dept = departments[deptIndex]!;
    const isHead = isHeadOf[i] === 1;
    const userType = USER_TYPES[userTypeOf[i]!]![0];
    const isManager = reports[i]! > 0;

    const offices = officesByRegion[weighted(regionWeights, float())]!;
    const office = offices[int(offices.length - 1)]!;
    const rf = office.faker;
    const region = office.region;

    const sex = float() < 0.5 ? 'female' : 'male';
    const givenName = rf.person.firstName(sex);
    const familyName = lastName(office.regionIndex, sex);
    const middleName = float() < 0.15 ? rf.person.firstName(sex) : undefined;
    const nick = NICKNAMES.get(givenName);
    const nickName = nick !== undefined && float() < 0.4 ? nick : undefined;

    const localPart = uniqueLocalPart(`${slug(givenName)}.${slug(familyName)}`, userNames);
    const userName = flat(`${localPart}@${WORK_DOMAIN}`);
    const displayName = flat(`${givenName} ${familyName}`);

    const id = uuid();
    const externalId = uuid();
    ids[i] = id;
    displayNames[i] = displayName;

    const manager = managerOf[i]!;
    dept.members.push(i);

    let title: string;
    if (isRoot) title = ROOT_TITLES[i] ?? 'Executive Vice President';
    else if (isHead) title = dept.profile.head;
    else if (isManager) title = pick(dept.profile.managers);
    else if (userType === 'Intern') title = dept.internTitle;
    else title = pick(dept.profile.individual);

    const created = historyStart + Math.floor((i + float()) * slot);
    const lastModified = float() < 0.25 ? created : created + Math.floor(float() * (opts.referenceMs - created));
    createdMs[i] = created;

    const preferredLanguage = region.tag.startsWith('en') || float() >= 0.1 ? region.tag : 'en-US';

    const emails: Resource[] = [{ value: userName, type: 'work', primary: true }];
    if (float() < 0.2) {
      const suffix = float() < 0.5 ? String(10 + int(89)) : '';
      emails.push({ value: flat(`${slug(givenName)}${slug(familyName)}${suffix}@${pick(HOME_DOMAINS)}`), type: 'home' });
    }
    const phoneNumbers: Resource[] = [{ value: flat(office.phone[0] + digits(office.phone[1])), type: 'work', primary: true }];
    if (float() < 0.45) phoneNumbers.push({ value: flat(pick(region.mobile[0]) + digits(region.mobile[1])), type: 'mobile' });

    const name: Resource = {
      formatted: middleName ? flat(`${givenName} ${middleName} ${familyName}`) : displayName,
      familyName,
      givenName,
    };
    if (middleName) name.middleName = middleName;

    employeeNumber += 1 + int(4);
    const enterprise: Resource = {
      employeeNumber: String(employeeNumber),
      costCenter: dept.costCenter,
      organization,
      division: dept.profile.division,
      department: dept.name,
    };
    if (manager >= 0) enterprise.manager = { value: ids[manager]!, displayName: displayNames[manager]! };

    const meta = opts.versions
      ? { resourceType: 'User', created: iso(created), lastModified: iso(lastModified), version: `W/"${i + 1}"` }
      : { resourceType: 'User', created: iso(created), lastModified: iso(lastModified) };
    const active = !inactive.has(i);
    // One literal per shape, so every property is stored in the object itself (no separate property array).
    users[i] = nickName
      ? {
        schemas: USER_SCHEMAS, id, externalId, meta, userName, name, displayName, nickName, title, userType, preferredLanguage,
        locale: region.tag, timezone: office.timezone, active, emails, phoneNumbers, addresses: office.addresses, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': enterprise,
      }
      : {
        schemas: USER_SCHEMAS, id, externalId, meta, userName, name, displayName, title, userType, preferredLanguage,
        locale: region.tag, timezone: office.timezone, active, emails, phoneNumbers, addresses: office.addresses, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': enterprise,
      };
    tick();
    if ((i & 127) === 127) yield;
  }

  // --- groups: department groups, then project groups with Zipf-like sizes
  const groups: Resource[] = [];
  const groupNames = new Set<string>();
  const groupIds: string[] = [];
  const groupCreated: number[] = [];
  const departmentGroupCount = Math.min(groupCount, departments.length);

  for (let d = 0; d < departmentGroupCount; d++) {
    const dept = departments[d]!;
    const created = historyStart - (departmentGroupCount - d) * MINUTE_MS;
    groupNames.add(dept.name.toLowerCase());
    groups.push(makeGroup(uuid(), uuid(), dept.name, created, dept.members));
    yield;
  }

  const projectCount = groupCount - departmentGroupCount;
  const sizes = projectSizes(projectCount, userCount, float);
  shuffleInPlace(sizes, int);
  const permutation = new Int32Array(userCount);
  for (let i = 0; i < userCount; i++) permutation[i] = i;
  for (let p = 0; p < projectCount; p++) {
    const displayName = flat(uniqueGroupName(projectName(faker, departments, float, pick), groupNames));
    const members = sampleSorted(permutation, sizes[p]!, int);
    const created = historyStart + Math.floor(float() * HISTORY_MS);
    groups.push(makeGroup(uuid(), uuid(), displayName, created, members));
    yield;
  }

  // nested groups: a few project groups get an earlier group as a member (earlier only, so no cycle)
  if (opts.nestedGroups && projectCount > 0) {
    const firstProject = departmentGroupCount;
    const candidates: number[] = [];
    for (let g = Math.max(firstProject, 1); g < groupCount; g++) candidates.push(g);
    const nestCount = Math.min(candidates.length, MAX_NESTING_GROUPS, Math.max(1, Math.round(projectCount / 20)));
    shuffleInPlace(candidates, int);
    for (let c = 0; c < nestCount; c++) {
      const g = candidates[c]!;
      const nested = chooseSubset(g, Math.min(g, float() < 0.3 ? 2 : 1), int);
      const group = groups[g]!;
      const members = (group.members as Resource[] | undefined) ?? [];
      let last = groupCreated[g]!;
      for (const h of [...nested].sort((a, b) => a - b)) {
        members.push({ value: groupIds[h]!, display: groups[h]!.displayName, type: 'Group' });
        last = Math.max(last, groupCreated[h]!);
      }
      group.members = members;
      const meta = group.meta as Resource;
      if (Date.parse(meta.lastModified as string) < last) meta.lastModified = iso(last);
    }
  }

  if (opts.onProgress) opts.onProgress(total, total);
  return { users, groups };

  function makeGroup(id: string, externalId: string, displayName: string, created: number, members: number[]): Resource {
    let lastModified = created;
    const memberList: Resource[] = new Array(members.length);
    for (let m = 0; m < members.length; m++) {
      const u = members[m]!;
      memberList[m] = { value: ids[u]!, display: displayNames[u]!, type: 'User' };
      if (createdMs[u]! > lastModified) lastModified = createdMs[u]!;
    }
    const group: Resource = {
      schemas: GROUP_SCHEMAS,
      id,
      externalId,
      meta: opts.versions
        ? { resourceType: 'Group', created: iso(created), lastModified: iso(lastModified), version: `W/"${userCount + groups.length + 1}"` }
        : { resourceType: 'Group', created: iso(created), lastModified: iso(lastModified) },
      displayName,
    };
    if (memberList.length > 0) group.members = memberList;
    groupIds.push(id);
    groupCreated.push(created);
    tick();
    return group;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Option checking

interface CheckedOptions {
  seed: number;
  users: number;
  groups: number;
  departments: string[];
  inactiveRatio: number;
  nestedGroups: boolean;
  referenceMs: number;
  onProgress: ((done: number, total: number) => void) | undefined;
  versions: boolean;
}

const EARLIEST_REFERENCE_MS = Date.UTC(1980, 0, 1);

function checkOptions(options: GenerateOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('generateDirectory: options must be an object');
  const { seed, users, groups } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`generateDirectory: seed must be an integer, got ${String(seed)}`);
  for (const [label, n] of [['users', users], ['groups', groups]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`generateDirectory: ${label} must be a non-negative integer, got ${String(n)}`);
    }
  }
  const departments = options.departments === undefined ? [...DEFAULT_DEPARTMENTS] : [...options.departments];
  if (departments.length === 0) throw new RangeError('generateDirectory: departments must list at least one name');
  const seen = new Set<string>();
  for (const d of departments) {
    if (typeof d !== 'string' || d.trim() === '') {
      throw new TypeError(`generateDirectory: department names must be non-empty strings, got ${JSON.stringify(d)}`);
    }
    if (seen.has(d.toLowerCase())) throw new RangeError(`generateDirectory: department "${d}" is listed twice`);
    seen.add(d.toLowerCase());
  }
  const inactiveRatio = options.inactiveRatio ?? DEFAULT_INACTIVE_RATIO;
  if (typeof inactiveRatio !== 'number' || !(inactiveRatio >= 0 && inactiveRatio <= 1)) {
    throw new RangeError(`generateDirectory: inactiveRatio must be a number between 0 and 1, got ${String(inactiveRatio)}`);
  }
  const referenceDate = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const parsed = parseRfc3339(referenceDate);
  const referenceMs = parsed.ok ? parsed.ms : NaN;
  if (!Number.isFinite(referenceMs) || referenceMs < EARLIEST_REFERENCE_MS) {
    throw new RangeError(
      `generateDirectory: referenceDate must be an RFC 3339 date-time from 1980 on, such as "${DEFAULT_REFERENCE_DATE}", got ${JSON.stringify(referenceDate)}`,
    );
  }
  return {
    seed,
    users,
    groups,
    departments,
    inactiveRatio,
    nestedGroups: options.nestedGroups ?? true,
    referenceMs,
    onProgress: options.onProgress,
    versions: options.versions ?? false,
  };
}

/** Faker's Mersenne Twister keeps 32 bits of a numeric seed; larger and negative seeds become a seed array. */
function seedValue(seed: number): number | number[] {
  if (seed >= 0 && seed <= 0xffffffff) return seed;
  const magnitude = Math.abs(seed);
  return [magnitude % 0x100000000, Math.floor(magnitude / 0x100000000), seed < 0 ? 1 : 0];
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()` for years 1000..9999, without allocating a Date (hot path: two per user).
 * Civil-from-days after Howard Hinnant's algorithm.
 */
export function iso(ms: number): string {
  const t = Math.floor(ms);
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) return new Date(t).toISOString();
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  return flat(`${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[milli]}Z`);
}

function cumulative(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

function weighted(cdf: Float64Array, u: number): number {
  for (let i = 0; i < cdf.length; i++) if (u < cdf[i]!) return i;
  return cdf.length - 1;
}

/** A set of `k` distinct integers in [0, n), by partial Fisher-Yates over a sparse map (O(k)). */
function chooseSubset(n: number, k: number, int: (max: number) => number): Set<number> {
  const swapped = new Map<number, number>();
  const out = new Set<number>();
  for (let j = 0; j < k; j++) {
    const r = j + int(n - 1 - j);
    const atR = swapped.get(r) ?? r;
    swapped.set(r, swapped.get(j) ?? j);
    out.add(atR);
  }
  return out;
}

/** `k` distinct users, ascending; `permutation` stays a permutation of [0, n) between calls. */
function sampleSorted(permutation: Int32Array, k: number, int: (max: number) => number): number[] {
  const n = permutation.length;
  const out: number[] = new Array(k);
  for (let j = 0; j < k; j++) {
    const r = j + int(n - 1 - j);
    const t = permutation[r]!;
    permutation[r] = permutation[j]!;
    permutation[j] = t;
    out[j] = t;
  }
  return out.sort((a, b) => a - b);
}

function shuffleInPlace<T>(items: T[], int: (max: number) => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = int(i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

/** Zipf-like sizes: rank k gets about largest / k^1.1 members (a few large groups, a long tail of small ones). */
function projectSizes(count: number, userCount: number, float: () => number): number[] {
  const largest = Math.max(1, Math.round(userCount * 0.2));
  const smallest = Math.min(userCount, 2);
  const sizes: number[] = [];
  for (let k = 1; k <= count; k++) {
    const jitter = 0.75 + 0.5 * float();
    sizes.push(Math.max(smallest, Math.min(userCount, Math.round((largest / Math.pow(k, 1.1)) * jitter))));
  }
  return sizes;
}

function takeManager(dept: Department, span: Int32Array, int: (max: number) => number): number | undefined {
  const q = dept.managerQueue;
  while (dept.queueHead < q.length && span[q[dept.queueHead]!]! <= 0) dept.queueHead++;
  if (dept.queueHead >= q.length) return undefined;
  // a little spread: one of the first three managers with room, breadth-first otherwise
  const offset = int(Math.min(2, q.length - 1 - dept.queueHead));
  let m = q[dept.queueHead + offset]!;
  if (span[m]! <= 0) m = q[dept.queueHead]!;
  span[m]!--;
  return m;
}

const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i',
};

const SLUG_CACHE = new Map<string, string>();
const PLAIN = /^[a-z]+$/;

/** ASCII slug of a name for mail local parts: "Rietmüller" -> "rietmuller", "Pantoja Archuleta" -> "pantoja-archuleta". */
export function slug(text: string): string {
  const cached = SLUG_CACHE.get(text);
  if (cached !== undefined) return cached;
  const lower = text.toLowerCase();
  const result = PLAIN.test(lower) ? lower : transliterate(lower);
  if (SLUG_CACHE.size < 50_000) SLUG_CACHE.set(text, result);
  return result;
}

function transliterate(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæøœłđðþı]/g, (c) => SPECIAL_LETTERS[c] ?? '')
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ascii === '' ? 'user' : ascii;
}

function uniqueLocalPart(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`;
  taken.add(candidate);
  return candidate;
}

function uniqueGroupName(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base} ${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function capitalise(word: string): string {
  return word
    .split(/([\s-]+)/)
    .map((w) => (w.length > 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('');
}

function projectName(
  faker: Faker,
  departments: Department[],
  float: () => number,
  pick: <T>(items: readonly T[]) => T,
): string {
  const u = float();
  if (u < 0.3) return `Project ${capitalise(faker.word.noun())}`;
  if (u < 0.5) return `${capitalise(faker.word.adjective())} ${capitalise(faker.word.noun())} Team`;
  if (u < 0.65) return `${pick(departments).name} ${capitalise(faker.hacker.noun())} Working Group`;
  if (u < 0.8) return `${capitalise(faker.hacker.adjective())} ${capitalise(faker.company.buzzNoun())} Guild`;
  return `App - ${capitalise(faker.word.noun())} Users`;
}

// The ACL authorizer's decisions (Kafka's StandardAuthorizer semantics), the filters of
// DescribeAcls/DeleteAcls, CreateAcls validation and the ACL store.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AclOperation as Op,
  PatternType as Pat,
  PermissionType as Perm,
  ResourceType as Res,
  filterIsUnknown,
  filterMatches,
  invalidAclReason,
  type AclBinding,
  type AclBindingFilter,
} from '../../../src/security/authorizer/acl.js';
import { AclAuthorizer, allOperationsBits, type Session } from '../../../src/security/authorizer/acl-authorizer.js';
import { FileMetadataStore } from '../../../src/metadata/file-metadata-store.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { resolveAuthorizerConfig } from '../../../src/security/authorizer/authorizer-config.js';
import { clientHost } from '../../../src/security/authorizer/request-authorization.js';
import { tempDir } from '../../helpers/broker.js';

const logger = pino({ level: 'silent' });
const alice: Session = { principal: 'User:alice', host: '10.0.0.1' };
const bob: Session = { principal: 'User:bob', host: '10.0.0.2' };

function acl(partial: Partial<AclBinding>): AclBinding {
  return {
    resourceType: Res.TOPIC,
    resourceName: 'orders',
    patternType: Pat.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: Perm.ALLOW,
    ...partial,
  };
}

async function authorizerWith(acls: AclBinding[], options: { superUsers?: string[]; allowEveryone?: boolean } = {}): Promise<AclAuthorizer> {
  const authorizer = new AclAuthorizer({
    superUsers: new Set(options.superUsers ?? []),
    allowEveryoneIfNoAclFound: options.allowEveryone ?? false,
    metadata: new MemoryMetadataStore(),
  });
  await authorizer.createAcls(acls);
  return authorizer;
}

describe('ACL authorizer: matching', () => {
  it('denies by default when there are no ACLs, allows with allow.everyone.if.no.acl.found', async () => {
    expect((await authorizerWith([])).authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(false);
    expect((await authorizerWith([], { allowEveryone: true })).authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(true);
  });

  it('denies a principal without a matching ACL even with allow.everyone when the resource has ACLs', async () => {
    const a = await authorizerWith([acl({})], { allowEveryone: true });
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(bob, Op.READ, Res.TOPIC, 'orders')).toBe(false);
    // Other resources have no ACLs: the default applies.
    expect(a.authorize(bob, Op.READ, Res.TOPIC, 'other')).toBe(true);
  });

  it('lets super users do anything, DENY ACLs included', async () => {
    const a = await authorizerWith([acl({ principal: 'User:root', permissionType: Perm.DENY, operation: Op.ALL })], { superUsers: ['User:root'] });
    expect(a.authorize({ principal: 'User:root', host: '1.2.3.4' }, Op.DELETE, Res.TOPIC, 'orders')).toBe(true);
    expect(a.authorize({ principal: 'User:root', host: '1.2.3.4' }, Op.ALTER, Res.CLUSTER, 'kafka-cluster')).toBe(true);
  });

  it('matches LITERAL names exactly', async () => {
    const a = await authorizerWith([acl({})]);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders2')).toBe(false);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'order')).toBe(false);
  });

  it('matches the LITERAL * wildcard against every name of the type only', async () => {
    const a = await authorizerWith([acl({ resourceName: '*' })]);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'anything')).toBe(true);
    expect(a.authorize(alice, Op.READ, Res.GROUP, 'anything')).toBe(false);
  });

  it('matches PREFIXED patterns against names starting with them', async () => {
    const a = await authorizerWith([acl({ resourceName: 'app-', patternType: Pat.PREFIXED })]);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'app-')).toBe(true);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'app-orders')).toBe(true);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'app')).toBe(false);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'xapp-orders')).toBe(false);
  });

  it('does not treat a PREFIXED * as a wildcard', async () => {
    const a = await authorizerWith([acl({ resourceName: '*', patternType: Pat.PREFIXED })]);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(false);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, '*orders')).toBe(true);
  });

  it('lets a DENY win over any ALLOW, whichever pattern carries it', async () => {
    const allows = [acl({ operation: Op.ALL }), acl({ resourceName: '*' }), acl({ resourceName: 'or', patternType: Pat.PREFIXED })];
    for (const deny of [
      acl({ permissionType: Perm.DENY }),
      acl({ permissionType: Perm.DENY, resourceName: '*' }),
      acl({ permissionType: Perm.DENY, resourceName: 'ord', patternType: Pat.PREFIXED }),
      acl({ permissionType: Perm.DENY, principal: 'User:*' }),
      acl({ permissionType: Perm.DENY, operation: Op.ALL }),
      acl({ permissionType: Perm.DENY, host: '10.0.0.1' }),
    ]) {
      const a = await authorizerWith([...allows, deny]);
      expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders'), JSON.stringify(deny)).toBe(false);
    }
  });

  it('ignores a DENY for another host, principal or operation', async () => {
    const allow = acl({});
    for (const deny of [
      acl({ permissionType: Perm.DENY, host: '10.9.9.9' }),
      acl({ permissionType: Perm.DENY, principal: 'User:bob' }),
      acl({ permissionType: Perm.DENY, operation: Op.WRITE }),
      acl({ permissionType: Perm.DENY, resourceName: 'orders-x', patternType: Pat.PREFIXED }),
    ]) {
      const a = await authorizerWith([allow, deny]);
      expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders'), JSON.stringify(deny)).toBe(true);
    }
  });

  it('matches the User:* principal and * host for everyone, and an exact host only for that host', async () => {
    const a = await authorizerWith([acl({ principal: 'User:*' }), acl({ resourceName: 'h', host: '10.0.0.2', principal: 'User:bob' })]);
    expect(a.authorize(bob, Op.READ, Res.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(bob, Op.READ, Res.TOPIC, 'h')).toBe(true);
    expect(a.authorize({ principal: 'User:bob', host: '10.0.0.3' }, Op.READ, Res.TOPIC, 'h')).toBe(false);
  });

  it('compares principals with their type', async () => {
    const a = await authorizerWith([acl({ principal: 'Group:alice' })]);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(false);
  });

  it('implies DESCRIBE from ALLOW READ, WRITE, DELETE and ALTER (not CREATE), and DESCRIBE_CONFIGS from ALTER_CONFIGS', async () => {
    for (const [op, implies] of [
      [Op.READ, true],
      [Op.WRITE, true],
      [Op.DELETE, true],
      [Op.ALTER, true],
      [Op.CREATE, false],
      [Op.ALTER_CONFIGS, false],
      [Op.DESCRIBE, true],
    ] as const) {
      const a = await authorizerWith([acl({ operation: op })]);
      expect(a.authorize(alice, Op.DESCRIBE, Res.TOPIC, 'orders'), `${op}`).toBe(implies);
    }
    const configs = await authorizerWith([acl({ operation: Op.ALTER_CONFIGS })]);
    expect(configs.authorize(alice, Op.DESCRIBE_CONFIGS, Res.TOPIC, 'orders')).toBe(true);
    expect(configs.authorize(alice, Op.ALTER_CONFIGS, Res.TOPIC, 'orders')).toBe(true);
    expect(configs.authorize(alice, Op.DESCRIBE, Res.TOPIC, 'orders')).toBe(false);
    // The implication never runs backwards, and DESCRIBE does not give READ.
    const describe = await authorizerWith([acl({ operation: Op.DESCRIBE })]);
    expect(describe.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(false);
  });

  it('does not imply DESCRIBE from a DENY READ', async () => {
    const a = await authorizerWith([acl({ operation: Op.DESCRIBE }), acl({ permissionType: Perm.DENY })]);
    expect(a.authorize(alice, Op.DESCRIBE, Res.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(false);
  });

  it('lets ALLOW ALL grant every operation', async () => {
    const a = await authorizerWith([acl({ operation: Op.ALL })]);
    for (const op of [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]) {
      expect(a.authorize(alice, op, Res.TOPIC, 'orders')).toBe(true);
    }
  });

  it('keeps resource types apart (a topic ACL says nothing about a group of the same name)', async () => {
    const a = await authorizerWith([acl({})]);
    expect(a.authorize(alice, Op.READ, Res.GROUP, 'orders')).toBe(false);
  });

  it('reports authorized operations as a bit set of the supported operations', async () => {
    const a = await authorizerWith([acl({ operation: Op.WRITE })]);
    expect(a.authorizedOperations(alice, Res.TOPIC, 'orders')).toBe((1 << Op.WRITE) | (1 << Op.DESCRIBE));
    expect(a.authorizedOperations(bob, Res.TOPIC, 'orders')).toBe(0);
    const su = await authorizerWith([], { superUsers: ['User:alice'] });
    expect(su.authorizedOperations(alice, Res.TOPIC, 'x')).toBe(allOperationsBits(Res.TOPIC));
    expect(allOperationsBits(Res.TOPIC)).toBe(0xdf8);
    expect(allOperationsBits(Res.CLUSTER)).toBe(0x1fa0);
    // READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.
    expect(allOperationsBits(Res.GROUP)).toBe((1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
  });
});

describe('ACL authorizer: by resource type (KIP-679)', () => {
  it('allows when some ALLOW pattern is not overridden by a DENY', async () => {
    expect((await authorizerWith([acl({ operation: Op.WRITE })])).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(true);
    expect((await authorizerWith([acl({ operation: Op.WRITE })])).authorizeByResourceType(bob, Op.WRITE, Res.TOPIC)).toBe(false);
    expect((await authorizerWith([acl({ operation: Op.READ })])).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(false);
  });

  it('lets a literal or covering prefix DENY override an ALLOW, and a wildcard DENY override everything', async () => {
    const allow = acl({ operation: Op.WRITE, resourceName: 'app-orders' });
    const cases: [AclBinding, boolean][] = [
      [acl({ operation: Op.WRITE, resourceName: 'app-orders', permissionType: Perm.DENY }), false],
      [acl({ operation: Op.WRITE, resourceName: 'app-', patternType: Pat.PREFIXED, permissionType: Perm.DENY }), false],
      [acl({ operation: Op.WRITE, resourceName: '*', permissionType: Perm.DENY }), false],
      [acl({ operation: Op.WRITE, resourceName: 'other', permissionType: Perm.DENY }), true],
      [acl({ operation: Op.WRITE, resourceName: 'app-orders-x', patternType: Pat.PREFIXED, permissionType: Perm.DENY }), true],
    ];
    for (const [deny, expected] of cases) {
      expect((await authorizerWith([allow, deny])).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC), JSON.stringify(deny)).toBe(expected);
    }
    const wildcard = await authorizerWith([acl({ operation: Op.WRITE, resourceName: '*' }), acl({ operation: Op.WRITE, resourceName: '*', permissionType: Perm.DENY })]);
    expect(wildcard.authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(false);
  });

  it('allows super users, and everyone when no ACL exists and the default allows', async () => {
    expect((await authorizerWith([], { superUsers: ['User:alice'] })).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(true);
    expect((await authorizerWith([], { allowEveryone: true })).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(true);
    expect((await authorizerWith([])).authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).toBe(false);
  });
});

describe('ACL filters', () => {
  const any: AclBindingFilter = { resourceType: Res.ANY, resourceName: null, patternType: Pat.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY };
  const literal = acl({});
  const wildcard = acl({ resourceName: '*' });
  const prefixed = acl({ resourceName: 'ord', patternType: Pat.PREFIXED });

  it('matches everything with ANY and null fields', () => {
    for (const b of [literal, wildcard, prefixed, acl({ resourceType: Res.GROUP })]) expect(filterMatches(any, b)).toBe(true);
  });

  it('matches names exactly with ANY or a concrete pattern type', () => {
    expect(filterMatches({ ...any, resourceName: 'orders' }, literal)).toBe(true);
    expect(filterMatches({ ...any, resourceName: 'orders' }, wildcard)).toBe(false);
    expect(filterMatches({ ...any, resourceName: 'orders' }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: Pat.PREFIXED }, prefixed)).toBe(true);
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: Pat.LITERAL }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, patternType: Pat.LITERAL }, prefixed)).toBe(false);
  });

  it('matches with MATCH every pattern that applies to the name', () => {
    const match = { ...any, resourceName: 'orders', patternType: Pat.MATCH };
    expect(filterMatches(match, literal)).toBe(true);
    expect(filterMatches(match, wildcard)).toBe(true);
    expect(filterMatches(match, prefixed)).toBe(true);
    expect(filterMatches(match, acl({ resourceName: 'x', patternType: Pat.PREFIXED }))).toBe(false);
    expect(filterMatches(match, acl({ resourceName: 'orders2' }))).toBe(false);
  });

  it('matches entries by principal, host, operation and permission', () => {
    expect(filterMatches({ ...any, principal: 'User:alice' }, literal)).toBe(true);
    expect(filterMatches({ ...any, principal: 'User:bob' }, literal)).toBe(false);
    expect(filterMatches({ ...any, host: '*' }, literal)).toBe(true);
    expect(filterMatches({ ...any, host: '10.0.0.1' }, literal)).toBe(false);
    expect(filterMatches({ ...any, operation: Op.READ }, literal)).toBe(true);
    expect(filterMatches({ ...any, operation: Op.ALL }, literal)).toBe(false);
    expect(filterMatches({ ...any, permissionType: Perm.DENY }, literal)).toBe(false);
    expect(filterMatches({ ...any, resourceType: Res.GROUP }, literal)).toBe(false);
  });

  it('calls a filter with UNKNOWN or out-of-range codes unknown', () => {
    expect(filterIsUnknown(any)).toBe(false);
    expect(filterIsUnknown({ ...any, resourceType: Res.UNKNOWN })).toBe(true);
    expect(filterIsUnknown({ ...any, resourceType: 42 })).toBe(true);
    expect(filterIsUnknown({ ...any, patternType: Pat.UNKNOWN })).toBe(true);
    expect(filterIsUnknown({ ...any, operation: 99 })).toBe(true);
    expect(filterIsUnknown({ ...any, permissionType: Perm.UNKNOWN })).toBe(true);
  });
});

describe('CreateAcls validation', () => {
  it('accepts LITERAL and PREFIXED ACLs of every resource type', () => {
    for (const resourceType of [Res.TOPIC, Res.GROUP, Res.TRANSACTIONAL_ID, Res.DELEGATION_TOKEN, Res.USER]) {
      expect(invalidAclReason(acl({ resourceType }))).toBeNull();
      expect(invalidAclReason(acl({ resourceType, patternType: Pat.PREFIXED }))).toBeNull();
    }
    expect(invalidAclReason(acl({ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }))).toBeNull();
  });

  it('refuses what Kafka refuses, with its messages', () => {
    expect(invalidAclReason(acl({ resourceType: Res.ANY }))).toBe('Invalid resourceType ANY');
    expect(invalidAclReason(acl({ resourceType: 77 }))).toBe('Invalid resourceType UNKNOWN');
    expect(invalidAclReason(acl({ resourceType: Res.CLUSTER, resourceName: 'other' }))).toBe('The only valid name for the CLUSTER resource is kafka-cluster');
    expect(invalidAclReason(acl({ resourceName: '' }))).toBe('Invalid empty resource name');
    expect(invalidAclReason(acl({ patternType: Pat.MATCH }))).toBe('Invalid patternType MATCH');
    expect(invalidAclReason(acl({ patternType: Pat.ANY }))).toBe('Invalid patternType ANY');
    expect(invalidAclReason(acl({ operation: Op.ANY }))).toBe('Invalid operation ANY');
    expect(invalidAclReason(acl({ operation: Op.UNKNOWN }))).toBe('Invalid operation UNKNOWN');
    expect(invalidAclReason(acl({ permissionType: Perm.ANY }))).toBe('Invalid permissionType ANY');
    expect(invalidAclReason(acl({ principal: 'alice' }))).toContain('no colon is present');
  });
});

describe('ACL store and configuration', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('keeps ACLs across authorizers on one data dir, without duplicates', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, metadata: FileMetadataStore.open(dir.path, logger) });
    await first.createAcls([acl({}), acl({}), acl({ operation: Op.WRITE })]);
    const second = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, metadata: FileMetadataStore.open(dir.path, logger) });
    expect(second.acls({ resourceType: Res.ANY, resourceName: null, patternType: Pat.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY })).toHaveLength(2);
    expect(second.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).toBe(true);
    const removed = await second.deleteAcls([{ resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.LITERAL, principal: null, host: null, operation: Op.WRITE, permissionType: Perm.ANY }]);
    expect(removed[0]).toHaveLength(1);
    const third = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, metadata: FileMetadataStore.open(dir.path, logger) });
    expect(third.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).toBe(false);
    expect(third.authorize(alice, Op.READ, Res.TOPIC, 'orders')).toBe(true);
  });

  it('follows ACL changes another authorizer writes to a shared metadata store', async () => {
    const metadata = new MemoryMetadataStore();
    const here = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, metadata });
    const there = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, metadata });
    await there.createAcls([acl({ operation: Op.WRITE })]);
    expect(here.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).toBe(true);
    await there.deleteAcls([{ resourceType: Res.ANY, resourceName: null, patternType: Pat.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY }]);
    expect(here.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).toBe(false);
  });

  it('reads authorizer.class.name, super.users and allow.everyone.if.no.acl.found', () => {
    expect(resolveAuthorizerConfig(new Map())).toBeNull();
    const config = resolveAuthorizerConfig(new Map([
      ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
      ['super.users', 'User:admin; User:CN=ops,O=Acme'],
      ['allow.everyone.if.no.acl.found', 'true'],
    ]));
    expect(config).toEqual({ superUsers: new Set(['User:admin', 'User:CN=ops,O=Acme']), allowEveryoneIfNoAclFound: true });
    expect(resolveAuthorizerConfig(new Map([['authorizer.class.name', 'kafka.security.authorizer.AclAuthorizer']]))?.allowEveryoneIfNoAclFound).toBe(false);
  });

  it('takes the client host from the remote address', () => {
    expect(clientHost('127.0.0.1:5555')).toBe('127.0.0.1');
    expect(clientHost('::ffff:10.1.2.3:5555')).toBe('10.1.2.3');
    expect(clientHost('::1:5555')).toBe('::1');
  });
});

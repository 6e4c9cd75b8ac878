// AlterUserScramCredentials as Kafka's controller decides it: each user may appear once per
// request (deletions and upsertions together), deletions must name an existing credential,
// upsertions need a known mechanism and 4096..16384 iterations; the salted password becomes a
// StoredKey/ServerKey credential. Results list successful deletions, then successful upsertions,
// then failures.
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponseAlterUserScramCredentialsResult as AlterResult,
} from '../../protocol/schema/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ScramCredentialChange, ScramCredentialStore } from './scram-credentials.js';
import { credentialFromSaltedPassword, scramMechanismByType } from './scram.js';

interface Failure {
  errorCode: number;
  errorMessage: string;
}

const DUPLICATE: Failure = { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' };

function checkUserAndMechanism(name: string, mechanismType: number): Failure | undefined {
  if (name === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
  if (scramMechanismByType(mechanismType) === undefined) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' };
  return undefined;
}

export function planScramAlterations(
  request: AlterUserScramCredentialsRequest,
  store: ScramCredentialStore,
): { changes: ScramCredentialChange[]; results: AlterResult[] } {
  const deletions = new Map<string, ScramCredentialChange>();
  const upsertions = new Map<string, ScramCredentialChange>();
  const failures = new Map<string, Failure>();

  for (const { name, mechanism } of request.deletions) {
    if (failures.has(name)) continue;
    if (deletions.delete(name)) {
      failures.set(name, DUPLICATE);
      continue;
    }
    const failure = checkUserAndMechanism(name, mechanism) ?? (store.has(name, scramMechanismByType(mechanism)!)
      ? undefined
      : { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' });
    if (failure) failures.set(name, failure);
    else deletions.set(name, { user: name, mechanism: scramMechanismByType(mechanism)!, credential: null });
  }
  for (const { name, mechanism: type, iterations, salt, saltedPassword } of request.upsertions) {
    if (failures.has(name)) continue;
    if (deletions.delete(name) || upsertions.delete(name)) {
      failures.set(name, DUPLICATE);
      continue;
    }
    const mechanism = scramMechanismByType(type);
    let failure = checkUserAndMechanism(name, type);
    if (!failure && iterations < mechanism!.minIterations) failure = { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' };
    if (!failure && iterations > mechanism!.maxIterations) failure = { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' };
    if (failure) failures.set(name, failure);
    else upsertions.set(name, { user: name, mechanism: mechanism!, credential: credentialFromSaltedPassword(mechanism!, salt, saltedPassword, iterations) });
  }

  const ok = (user: string): AlterResult => ({ user, errorCode: ErrorCode.NONE, errorMessage: null });
  return {
    changes: [...deletions.values(), ...upsertions.values()],
    results: [
      ...[...deletions.keys()].map(ok),
      ...[...upsertions.keys()].map(ok),
      ...[...failures].map(([user, f]) => ({ user, ...f })),
    ],
  };
}

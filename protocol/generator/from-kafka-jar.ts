// Regenerates protocol/schema/ from the message specs Apache Kafka ships inside its
// kafka-clients jar (common/message/*.json), so the schemas follow a Kafka release rather than a
// copied spec directory. The jar comes from the local Maven repository (~/.m2, or MAVEN_REPO),
// fetched with `mvn dependency:get` when missing; the specs are unpacked (unzip) into a temporary
// directory that is removed afterwards.
// Usage: tsx protocol/generator/from-kafka-jar.ts <kafka-version> <out-dir>
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [version, outDir] = process.argv.slice(2);
if (!version || !outDir) throw new Error('usage: from-kafka-jar.ts <kafka-version> <out-dir>');

const repo = process.env.MAVEN_REPO ?? join(homedir(), '.m2', 'repository');
const jar = join(repo, 'org', 'apache', 'kafka', 'kafka-clients', version, `kafka-clients-${version}.jar`);
if (!existsSync(jar)) {
  execFileSync(process.env.MAVEN ?? 'mvn', ['-q', '-B', 'dependency:get', `-Dartifact=org.apache.kafka:kafka-clients:${version}`, '-Dtransitive=false'], { stdio: 'inherit' });
}
const specs = mkdtempSync(join(tmpdir(), `kafka-${version}-specs-`));
try {
  execFileSync('unzip', ['-q', jar, 'common/message/*.json', '-d', specs], { stdio: 'inherit' });
  const generator = fileURLToPath(new URL('generate.ts', import.meta.url));
  execFileSync(process.execPath, ['--import', 'tsx', generator, join(specs, 'common', 'message'), outDir], { stdio: 'inherit' });
} finally {
  rmSync(specs, { recursive: true, force: true });
}

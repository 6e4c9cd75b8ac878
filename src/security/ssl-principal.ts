// The principal of a TLS client with a certificate, as Kafka's DefaultKafkaPrincipalBuilder makes
// it: the certificate subject as an RFC 2253 distinguished name (most specific part first, e.g.
// `CN=app,OU=ServiceUsers,O=Acme`), passed through ssl.principal.mapping.rules (SslPrincipalMapper
// syntax: comma-separated `RULE:pattern/replacement/[LU]` and `DEFAULT`; the first rule whose
// pattern matches the whole name gives the principal name; no matching rule refuses the client).
import type { X509Certificate } from 'node:crypto';

interface Rule {
  /** null for DEFAULT (the name as is). */
  pattern: string | null;
  replacement: string;
  lower: boolean;
  upper: boolean;
}

// Kafka's rule grammar: DEFAULT, or RULE:pattern/replacement/ with an optional L or U, where a
// backslash escapes any character (a `\/` is a slash of the pattern).
const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const SPLITTER = new RegExp(String.raw`\s*(${RULE})\s*(?:,\s*|$)`, 'gy');
const PARSER = new RegExp(`^(?:${RULE})`);

export class SslPrincipalMapper {
  private constructor(private readonly rules: readonly Rule[]) {}

  /** Parses ssl.principal.mapping.rules; throws an Error naming the bad rule. */
  static parse(rules: string | null): SslPrincipalMapper {
    const text = (rules ?? 'DEFAULT').trim();
    const parsed: Rule[] = [];
    SPLITTER.lastIndex = 0;
    for (let m = SPLITTER.exec(text); m !== null && m[0] !== ''; m = SPLITTER.exec(text)) {
      const rule = m[1]!;
      const p = PARSER.exec(rule);
      if (p === null || p[0].length !== rule.length) throw new Error(`Invalid rule: \`${rule}\``);
      if (p[5] !== undefined && p[5] !== '') throw new Error(`Invalid rule: \`${rule}\``);
      if (p[1] !== undefined) parsed.push({ pattern: null, replacement: '', lower: false, upper: false });
      else if (p[2] !== undefined) {
        try {
          new RegExp(p[2]);
        } catch (e) {
          throw new Error(`Invalid rule: \`${rule}\`: ${(e as Error).message}`);
        }
        parsed.push({ pattern: p[2], replacement: p[3]!, lower: p[4] === 'L', upper: p[4] === 'U' });
      }
    }
    return new SslPrincipalMapper(parsed);
  }

  /** The principal name for a distinguished name, or null when no rule applies. */
  name(distinguishedName: string): string | null {
    for (const rule of this.rules) {
      if (rule.pattern === null) return distinguishedName;
      if (!new RegExp(`^(?:${rule.pattern})$`).test(distinguishedName)) continue;
      const result = distinguishedName.replace(new RegExp(rule.pattern, 'g'), rule.replacement);
      return rule.lower ? result.toLowerCase() : rule.upper ? result.toUpperCase() : result;
    }
    return null;
  }

  /** `User:<mapped subject>`, or null when no rule applies to the certificate's subject. */
  principal(cert: X509Certificate): string | null {
    const name = this.name(certificateSubject(cert));
    return name === null ? null : `User:${name}`;
  }
}

/** The certificate subject in RFC 2253 order (Node lists the parts escaped, one per line, in encoded order). */
export function certificateSubject(cert: X509Certificate): string {
  return cert.subject.split('\n').reverse().join(',');
}

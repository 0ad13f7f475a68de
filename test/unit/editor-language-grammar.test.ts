/**
 * The TPS TextMate grammar (media/tps.tmLanguage.json) on lines from real TPS files: each line
 * is claimed by the rule a reader expects. Oniguruma's inline (?i) is applied as JS's i flag.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../helpers/data';

interface Rule {
  match?: string;
  name?: string;
  patterns?: Rule[];
  include?: string;
  captures?: Record<string, { name: string }>;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammar = JSON.parse(fs.readFileSync(path.join(repoRoot, 'media', 'tps.tmLanguage.json'), 'utf8')) as Grammar;

function regex(source: string): RegExp {
  const insensitive = source.includes('(?i)');
  return new RegExp(source.replace(/\(\?i\)/g, ''), insensitive ? 'i' : '');
}

/** The first top-level rule (by repository name) whose match hits the line at its start. */
function ruleFor(line: string): { rule: string; captures: Record<string, string> } {
  for (const p of grammar.patterns) {
    const name = p.include!.slice(1);
    const r = grammar.repository[name];
    if (r.match) {
      const m = regex(r.match).exec(line);
      if (m && m.index === 0) {
        const captures: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.captures ?? {})) if (m[Number(k)]) captures[v.name] = m[Number(k)];
        return { rule: name, captures };
      }
    } else if (r.patterns) {
      const tokens: Record<string, string> = {};
      for (const tok of line.trim().split(/\s+/)) {
        const hit = r.patterns.find((q) => new RegExp(`^(?:${q.match!})$`).test(tok));
        tokens[tok] = hit?.name ?? 'none';
      }
      return { rule: name, captures: tokens };
    }
  }
  return { rule: 'none', captures: {} };
}

describe('TPS grammar', function () {
  it('is a valid grammar for source.tps whose includes all exist', function () {
    assert.strictEqual(grammar.scopeName, 'source.tps');
    for (const p of grammar.patterns) assert.ok(grammar.repository[p.include!.slice(1)], `missing rule ${p.include}`);
  });

  it('colours counts, fields, comments and numbers of real files', function () {
    assert.deepStrictEqual(ruleFor('LM=8'), { rule: 'count', captures: { 'keyword.control.block.tps': 'LM', 'keyword.operator.assignment.tps': '=', 'constant.numeric.integer.tps': '8' } });
    assert.strictEqual(ruleFor('LM = 18').captures['constant.numeric.integer.tps'], '18');
    assert.strictEqual(ruleFor('lm=3').rule, 'count');
    assert.strictEqual(ruleFor('CURVES=2').rule, 'count');
    assert.strictEqual(ruleFor('IMAGE=Md 007.JPG').captures['string.unquoted.path.tps'], 'Md 007.JPG');
    assert.strictEqual(ruleFor('IMAGE=C:\\Users\\me\\img.jpg').rule, 'image');
    assert.strictEqual(ruleFor('SCALE=0.0123').captures['constant.numeric.float.tps'], '0.0123');
    assert.deepStrictEqual(ruleFor('VARIABLES=OrigNum=57').captures, {
      'variable.other.key.tps': 'VARIABLES',
      'keyword.operator.assignment.tps': '=',
      'string.unquoted.value.tps': 'OrigNum=57',
    });
    assert.strictEqual(ruleFor('# digitized by hand').rule, 'comment');
    const row = ruleFor('290.\t1886.00000 3.13E-001 -1');
    assert.strictEqual(row.rule, 'row');
    assert.ok(Object.values(row.captures).every((v) => v === 'constant.numeric.float.tps'), JSON.stringify(row.captures));
    assert.strictEqual(ruleFor('12.5 abc').captures.abc, 'invalid.illegal.token.tps');
  });
});

/**
 * Where the chain's remaining error points: along the shell's outline (where on a smooth curve the
 * landmark sits) or across it (finding the outline itself). Reads the dump of doubt-exp.ts
 * (`DUMP=/tmp/doubt-dump.json npx tsx scripts/experiments/doubt-exp.ts`: cascade -> contour -> SDM
 * with its shifted runs, all 120 validation-split mollusk photos out of fold). The outline's
 * direction at a landmark is taken from its two neighbours on the outline in the true shape.
 * npx tsx scripts/experiments/error-directions.ts [/tmp/doubt-dump.json]
 */
import * as fs from 'fs';

interface Row { truth: [number, number][]; tta: [number, number][] }
/** Mollusk landmarks on the outline (1-based) and their neighbours along it. */
const OUTLINE: Record<number, [number, number]> = {
  2: [1, 3], 3: [2, 4], 4: [3, 5], 5: [4, 7], 7: [5, 8], 8: [7, 9], 9: [8, 10], 10: [9, 11], 11: [10, 12], 12: [11, 13], 13: [12, 14], 14: [13, 1],
};

const rows = JSON.parse(fs.readFileSync(process.argv[2] ?? '/tmp/doubt-dump.json', 'utf8')) as Row[];
let allAlong = 0;
let allErr = 0;
console.log('landmark | mean error px | along the outline | across it');
console.log('---|---|---|---');
for (const [k, [a, b]] of Object.entries(OUTLINE)) {
  const j = +k - 1;
  let along = 0;
  let across = 0;
  let err = 0;
  for (const r of rows) {
    const tx = r.truth[b - 1][0] - r.truth[a - 1][0];
    const ty = r.truth[b - 1][1] - r.truth[a - 1][1];
    const h = Math.hypot(tx, ty);
    const dx = r.tta[j][0] - r.truth[j][0];
    const dy = r.tta[j][1] - r.truth[j][1];
    along += Math.abs(dx * tx + dy * ty) / h;
    across += Math.abs(dy * tx - dx * ty) / h;
    err += Math.hypot(dx, dy);
  }
  allAlong += along;
  allErr += err;
  console.log(`${k} | ${(err / rows.length).toFixed(1)} | ${(along / rows.length).toFixed(1)} | ${(across / rows.length).toFixed(1)}`);
}
console.log(`outline landmarks: mean error ${(allErr / rows.length / Object.keys(OUTLINE).length).toFixed(1)} px, mean |along| ${(allAlong / rows.length / Object.keys(OUTLINE).length).toFixed(1)} px`);

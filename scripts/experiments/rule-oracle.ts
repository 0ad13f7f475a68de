/**
 * Are the mollusk's sliding landmarks defined by the shell's geometry? For each landmark on the
 * outline, with the TRUE positions of all the others, ~1,000 simple geometric rules are scored
 * against its annotated position: the outline point farthest from the line through two landmarks
 * (a tangent parallel to it), the tangent point from a landmark, the outline point nearest a
 * landmark, the outline point at the same level as a landmark along the shell's axis (1 -> 9 or
 * 1 -> 10). Search: the outline arc between the landmark's two neighbours. 'floor' = how far the
 * silhouette outline passes from the annotated point. Validation split's training photos only.
 * npx tsx scripts/experiments/rule-oracle.ts [photos=60]
 */
import * as path from 'path';
import { splitFor, datasetDir } from './stage-data';
import { readGrey } from '../../src/engine/presets/default';
import { pyramid } from '../../src/engine/imaging/grey';
import { levelsFor } from '../../src/engine/stages/cascade/cascade';
import { contourOf, DEFAULT_CONTOUR } from '../../src/engine/stages/contour/model';
type P = [number, number];
/** Landmarks on the outline (1-based) and their neighbours along it. */
const NB: Record<number, [number, number]> = { 3: [2, 4], 4: [3, 5], 7: [5, 8], 8: [7, 9], 9: [8, 10], 11: [10, 12], 12: [11, 13] };
(async () => {
  const { train } = splitFor('mollusk', 'val');
  const dir = datasetDir('mollusk');
  const items: { c: P[]; t: P[] }[] = [];
  for (const s of train.slice(0, +(process.argv[2] ?? 60))) {
    const g = await readGrey(path.join(dir, 'images', s.image));
    const c = contourOf(pyramid(g, levelsFor(g.width)), DEFAULT_CONTOUR);
    const pts: P[] = []; for (let i = 0; i < c.n; i++) pts.push([c.pts[2 * i], c.pts[2 * i + 1]]);
    items.push({ c: pts, t: s.pts.map((p) => [p[0], g.height - p[1]] as P) });
  }
  const L = 15;
  const nearest = (c: P[], p: P) => { let b = 0, bd = Infinity; c.forEach((q, i) => { const d = (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2; if (d < bd) { bd = d; b = i; } }); return b; };
  // arc of contour indices from nearest(a) to nearest(b), the shorter way that contains nearest(j) if possible
  const arc = (c: P[], ia: number, ib: number, ij: number): number[] => {
    const n = c.length; const fw: number[] = []; for (let i = ia; ; i = (i + 1) % n) { fw.push(i); if (i === ib) break; }
    if (fw.includes(ij)) return fw; const bw: number[] = []; for (let i = ia; ; i = (i - 1 + n) % n) { bw.push(i); if (i === ib) break; } return bw;
  };
  for (const [jk, [a, b]] of Object.entries(NB)) {
    const j = +jk - 1;
    const res = new Map<string, number[]>();
    const add = (k: string, e: number) => { if (!res.has(k)) res.set(k, []); res.get(k)!.push(e); };
    for (const it of items) {
      const c = it.c, t = it.t;
      const ij = nearest(c, t[j]); const A = arc(c, nearest(c, t[a - 1]), nearest(c, t[b - 1]), ij);
      const err = (i: number) => Math.hypot(c[i][0] - t[j][0], c[i][1] - t[j][1]);
      add('project-truth(floor)', err(ij));
      for (let p = 0; p < L; p++) for (let q = p + 1; q < L; q++) {
        if (p === j || q === j) continue;
        const dx = t[q][0] - t[p][0], dy = t[q][1] - t[p][1], h = Math.hypot(dx, dy); const nx = -dy / h, ny = dx / h;
        const side = Math.sign((t[j][0] - t[p][0]) * nx + (t[j][1] - t[p][1]) * ny);
        // extreme distance from line pq (tangent parallel to pq)
        let bi = A[0], bv = -Infinity; for (const i of A) { const v = side * ((c[i][0] - t[p][0]) * nx + (c[i][1] - t[p][1]) * ny); if (v > bv) { bv = v; bi = i; } }
        add(`ext-par(${p + 1},${q + 1})`, err(bi));
      }
      for (let k = 0; k < L; k++) {
        if (k === j) continue;
        // tangent from k: extreme angle
        const ang = A.map((i) => Math.atan2(c[i][1] - t[k][1], c[i][0] - t[k][0]));
        const ref = ang[0]; const rel = ang.map((x) => { let d = x - ref; while (d > Math.PI) d -= 2 * Math.PI; while (d < -Math.PI) d += 2 * Math.PI; return d; });
        let imax = 0, imin = 0; rel.forEach((v, i) => { if (v > rel[imax]) imax = i; if (v < rel[imin]) imin = i; });
        add(`tan-from(${k + 1})max`, err(A[imax])); add(`tan-from(${k + 1})min`, err(A[imin]));
        // nearest to k
        let bi = A[0], bd = Infinity; for (const i of A) { const d = Math.hypot(c[i][0] - t[k][0], c[i][1] - t[k][1]); if (d < bd) { bd = d; bi = i; } }
        add(`nearest-to(${k + 1})`, err(bi));
        // same height as k along the axis 1->9
        for (const [u, v] of [[0, 8], [0, 9]]) {
          const ax = t[v][0] - t[u][0], ay = t[v][1] - t[u][1], hh = Math.hypot(ax, ay);
          const pk = ((t[k][0] - t[u][0]) * ax + (t[k][1] - t[u][1]) * ay) / hh;
          let bi2 = A[0], bd2 = Infinity; for (const i of A) { const d = Math.abs(((c[i][0] - t[u][0]) * ax + (c[i][1] - t[u][1]) * ay) / hh - pk); if (d < bd2) { bd2 = d; bi2 = i; } }
          add(`level-of(${k + 1})axis${u + 1}-${v + 1}`, err(bi2));
        }
      }
    }
    const rows = [...res.entries()].map(([k, v]) => [k, v.reduce((x, y) => x + y, 0) / v.length] as [string, number]).sort((x, y) => x[1] - y[1]);
    console.log(`LM ${jk}: floor ${rows.find((r) => r[0].startsWith('project'))![1].toFixed(1)} | ` + rows.filter((r) => !r[0].startsWith('project')).slice(0, 5).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  }
})();

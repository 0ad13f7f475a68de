import sharp from 'sharp';
import * as fs from 'fs';
const [,, dir, name, out] = process.argv;
const txt = fs.readFileSync(dir + '/landmarks.tps', 'utf8').split(/\r?\n/);
let pts: number[][] = []; let cur: number[][] = [];
for (const l of txt) { if (l.startsWith('LM=')) cur = []; else if (l.startsWith('IMAGE=')) { if (l.slice(6) === name) pts = cur; } else if (/^[-\d]/.test(l)) cur.push(l.trim().split(/\s+/).map(Number)); }
(async () => {
  const img = sharp(dir + '/images/' + name); const m = await img.metadata();
  const H = m.height!, W = m.width!;
  const svg = `<svg width="${W}" height="${H}">` + pts.map((p, i) => `<circle cx="${p[0]}" cy="${H - p[1]}" r="${W/150}" fill="red"/><text x="${p[0]+W/100}" y="${H-p[1]}" font-size="${W/30}" fill="blue">${i+1}</text>`).join('') + '</svg>';
  const buf = await sharp(dir + "/images/" + name).composite([{ input: Buffer.from(svg) }]).png().toBuffer(); await sharp(buf).resize(500).png().toFile(out);
  console.log(W, H);
})();

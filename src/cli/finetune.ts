/**
 * `finetune --pretrain <tps>[:1,2,5-8] ... --target <tps>[:landmarks] --out <dir> [train options]`
 * or the paper's scenario 2: `finetune --scenario paper2 --pronotum <tps> --head <tps> --body <tps>
 * --out <dir>` (pronotum 8; head drops its 5th, 6th; body its 1st, 6th, 9th; pretrain on the three
 * parts, fine-tune on pronotum). Writes <out>/pretrained/ and the fine-tuned model in <out>.
 */
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import type { FinetuneOptions, FinetunePart } from '../shared/protocol/engine';
import { paperScenario2, runFinetune } from '../engine/finetune';
import { evaluationTable, parseBackend, parseIntOption, parseLandmarkList, UsageError } from './engine-common';
import { engineCommand, parsePreset, parseTrainingNumbers, printResult, TRAINING_ARGS, withEngine } from './options';

export const USAGE = [
  'usage: finetune --pretrain <tps>[:landmarks] [--pretrain ...] --target <tps>[:landmarks] --out <dir> [options]',
  '       finetune --scenario paper2 --pronotum <tps> --head <tps> --body <tps> --out <dir> [options]',
  '',
  '  <tps>:landmarks   a landmark subset map, 1-based, e.g. body.tps:2-5,7,8,10,11',
  '  --images <dir>    folder searched first for every part\'s images',
  '  --pretrain-epochs N   epochs of the pretraining (default: --epochs)',
  '  --reuse-pretrained    keep <out>/pretrained when it exists',
  '  --preset default|paper  --epochs N  --batch-size N  --learning-rate X  --validation-split X',
  '  --input-size WxH  --seed N  --patience N  --backend auto|webgpu|native-gpu|native-cpu|wasm|cpu  --json',
].join('\n');

function part(spec: string, images: string | undefined): FinetunePart {
  const m = /^(.*?):([\d,\s-]+)$/.exec(spec);
  const data = m ? m[1] : spec;
  return { data, ...(images ? { images } : {}), ...(m ? { landmarkSubset: parseLandmarkList('pretrain', m[2]) } : {}) };
}

export const command: CliCommand = engineCommand(USAGE, async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      ...TRAINING_ARGS,
      pretrain: { type: 'string', multiple: true },
      target: { type: 'string' },
      scenario: { type: 'string' },
      pronotum: { type: 'string' },
      head: { type: 'string' },
      body: { type: 'string' },
      'pretrain-epochs': { type: 'string' },
      'reuse-pretrained': { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.out) throw new UsageError('--out is required');
  let parts: Pick<FinetuneOptions, 'pretrain' | 'target'>;
  if (values.scenario !== undefined) {
    if (values.scenario !== 'paper2') throw new UsageError(`--scenario ${values.scenario}: only paper2 is known`);
    if (!values.pronotum || !values.head || !values.body) throw new UsageError('--scenario paper2 needs --pronotum, --head and --body');
    parts = paperScenario2({ pronotum: values.pronotum, head: values.head, body: values.body, images: values.images });
  } else {
    if (!values.pretrain?.length || !values.target) throw new UsageError('--pretrain (one or more) and --target are required');
    parts = { pretrain: values.pretrain.map((p) => part(p, values.images)), target: part(values.target, values.images) };
  }
  const preset = parsePreset(values.preset);
  // --epochs is checked before --pretrain-epochs, the other numbers after (parseTrainingNumbers).
  parseIntOption('epochs', values.epochs);
  const pretrainEpochs = parseIntOption('pretrain-epochs', values['pretrain-epochs']);
  const options: FinetuneOptions = {
    ...parts,
    out: values.out,
    preset,
    ...parseTrainingNumbers(values),
    ...(pretrainEpochs !== undefined ? { pretrainEpochs } : {}),
  };
  if (values['reuse-pretrained']) options.reusePretrained = true;
  return withEngine(parseBackend(values.backend), { announce: true }, async (engine) => {
    const result = await runFinetune(options, engine.env);
    printResult(!!values.json, result, engine.env.backend, () => {
      console.log(`pretrained: ${result.pretrainedDir} (best epoch ${result.pretrain.bestEpoch})`);
      console.log(`fine-tuned: ${result.modelDir} (best epoch ${result.finetune.bestEpoch}) in ${result.seconds.toFixed(1)} s on ${engine.env.backend}`);
      if (result.pretrain.validation) console.log(`pretrained model, validation error:\n${evaluationTable(result.pretrain.validation)}`);
      if (result.finetune.validation) console.log(`fine-tuned model, validation error:\n${evaluationTable(result.finetune.validation)}`);
    });
    return result.finetune.cancelled || result.pretrain.cancelled ? 130 : 0;
  });
});

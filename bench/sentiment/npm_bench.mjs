// The npm sentiment analysers on the same corpus: throughput on one core and
// polarity agreement with onair. Usage: node npm_bench.mjs CORPUS ONAIR_POLARITY SECONDS
// Prints one line per package: "name messages_per_second agreement_percent".
// Polarity: vader compound >= 0.05 positive, <= -0.05 negative (its documented
// thresholds); sentiment score > 0 positive, < 0 negative; else neutral.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.cwd() + '/');
const vader = require('vader-sentiment');
const Sentiment = require('sentiment');

const [corpusPath, onairPath, secondsArg] = process.argv.slice(2);
const corpus = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.length > 0);
const onair = readFileSync(onairPath, 'utf8').split('\n').filter((l) => l.length > 0).map(Number);
const seconds = Number(secondsArg || 3);

const sign = (v, eps) => (v >= eps ? 1 : v <= -eps ? -1 : 0);
const sentiment = new Sentiment();
const analysers = {
  'vader-sentiment': (t) => sign(vader.SentimentIntensityAnalyzer.polarity_scores(t).compound, 0.05),
  sentiment: (t) => sign(sentiment.analyze(t).score, 1),
};

for (const [name, polarity] of Object.entries(analysers)) {
  let agree = 0;
  for (let i = 0; i < corpus.length; ++i) agree += polarity(corpus[i]) === onair[i] ? 1 : 0;
  let done = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (const t of corpus) {
      sink += polarity(t);
      ++done;
      if ((done & 1023) === 0 && Number(process.hrtime.bigint() - start) / 1e9 >= seconds) break;
    }
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  console.log(`${name} ${(done / elapsed).toFixed(0)} ${((100 * agree) / corpus.length).toFixed(1)} ${sink & 1}`);
}

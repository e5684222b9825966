'use strict';
// Checks a run's summaries against the generator's own tallies (--truth), so that no benchmark figure comes from a
// run that counted wrong. Returns a list of differences (empty when they agree).
const fs = require('node:fs');

const sum = (types, codes) => codes.reduce((n, code) => n + (types[code] ?? 0), 0);

function checkTruth(truthFile, summariesFile) {
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
  const events = fs.readFileSync(summariesFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).event);
  const daily = new Map(events.filter((e) => e.summary === 'daily').map((e) => [`${e.tenant}|${e.day}`, e]));
  const problems = [];
  if (daily.size !== truth.days.length) problems.push(`${daily.size} daily summaries, ${truth.days.length} tenant-days generated`);
  for (const t of truth.days) {
    const d = daily.get(`${t.tenant}|${t.day}`);
    if (!d) {
      problems.push(`no daily summary for ${t.tenant} ${t.day}`);
      continue;
    }
    const want = {
      events: t.events,
      logins: sum(t.types, ['s']),
      signups: sum(t.types, ['ss']),
      failed_logins: sum(t.types, ['f', 'fp', 'fu', 'fcoa', 'fens', 'fc', 'fco']),
      active_users: t.users,
      m2m_tokens: sum(t.types, ['seccft']),
      m2m_tokens_billable: t.m2mBillable,
      m2m_token_failures: sum(t.types, ['feccft']),
    };
    for (const [field, value] of Object.entries(want)) {
      if (d[field] !== value) problems.push(`${t.tenant} ${t.day} ${field}: job ${d[field]}, generated ${value}`);
    }
  }
  const run = events.find((e) => e.summary === 'run') ?? events[events.length - 1];
  if (run.records !== truth.written || run.duplicates !== truth.written - truth.unique) {
    problems.push(`run: ${run.records} records / ${run.duplicates} duplicates, generated ${truth.written} / ${truth.written - truth.unique}`);
  }
  return problems;
}

module.exports = { checkTruth };

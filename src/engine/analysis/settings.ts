import type { AnalysisConfig } from '../../config/model.js';
import type { JudgeSettings } from '../../judge/model.js';
import { resolveJudgeSettings } from '../../judge/settings.js';

/** The judge's settings from a canary's analysis config; what slipway.yaml does not set keeps the judge's default. */
export function judgeSettingsOf(analysis: AnalysisConfig): JudgeSettings {
  return resolveJudgeSettings({ triggers: { ...analysis.triggers }, statistics: { ...analysis.statistics } });
}

import type { EnvironmentConfig, ProjectConfig, ResolvedService } from '../../config/model.js';

/** Where a runbook section is written: once, once per environment, or once per service in each environment. */
export type RunbookSection =
  | { scope: 'project'; title: string; render: (config: ProjectConfig) => string[] }
  | {
      scope: 'environment';
      title: string;
      render: (config: ProjectConfig, environment: EnvironmentConfig) => string[];
    }
  | {
      scope: 'service';
      title: string;
      render: (config: ProjectConfig, environment: EnvironmentConfig, service: ResolvedService) => string[];
    };

/** 0.015 → "1.5 %". */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(3))} %`;
}

/** A command people copy: fenced so it survives Markdown rendering. */
export function commands(...lines: string[]): string[] {
  return ['```sh', ...lines, '```'];
}

/** Text people wrote (a freeze message) as one Markdown table cell: one line, its pipes escaped. */
export function tableCell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

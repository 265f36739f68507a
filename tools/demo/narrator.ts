import { CAMPAIGNS } from '../../contract/campaigns';
import type { CampaignType, TimelineEntry } from '../../contract/journeys';

const CAMPAIGN_LABELS = Object.fromEntries(CAMPAIGNS.map((campaign) => [campaign.type, campaign.label])) as Record<
  CampaignType,
  string
>;

const ENTRY_MARKS: Record<TimelineEntry['kind'], string> = {
  event: '•',
  wait: '…',
  message: '✉',
  skip: '↷',
  exit: '■',
  engagement: '◉',
};

/** Tells the demo's story in the terminal: one line per happening, with the clock and who it concerns. */
export class Narrator {
  private readonly started = Date.now();

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  /** Something the storefront did (or that happened to it), and what the engine should make of it. */
  storefront(who: string, what: string, why?: string): void {
    this.line(who, `▶ ${what}`);
    if (why) this.line('', `  → ${why}`);
  }

  /** Something a journey recorded on its timeline. */
  journey(who: string, campaign: CampaignType, entry: TimelineEntry): void {
    this.line(who, `${ENTRY_MARKS[entry.kind]} ${CAMPAIGN_LABELS[campaign]}: ${entry.text}`);
  }

  note(what: string): void {
    this.line('', what);
  }

  heading(title: string): void {
    this.write(`\n${title}`);
  }

  private line(who: string, what: string): void {
    const clock = new Date().toISOString().slice(11, 19);
    const elapsed = `+${Math.round((Date.now() - this.started) / 1000)}s`.padStart(5);
    this.write(`[${clock} ${elapsed}] ${who.padEnd(8)} ${what}`);
  }
}

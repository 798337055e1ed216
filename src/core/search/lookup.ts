/** Resolving what a manuscript writes (`@voronka2019`, `(Voronka, 2019)`, `Voronka 2019`) to works. */
import type { Work } from '../model/model';
import { fold } from '../model/names';
import { headOf, labelKeyOf } from '../model/workStore';

export class WorkLookup {
  /** Works by citekey: each work's id and its aliases. */
  readonly byId = new Map<string, Work>();
  private readonly byLabel = new Map<string, Work>();
  private readonly byAuthorYear = new Map<string, Work[]>();

  private readonly list: Work[] = [];

  constructor(works: readonly Work[] = []) {
    this.add(works);
  }

  get works(): readonly Work[] {
    return this.list;
  }

  /** Adds works (the editor adds them chunk by chunk as they arrive from the index worker). */
  add(works: readonly Work[]): void {
    for (const w of works) {
      // The head: for works in the editor's store, read without parsing them (workStore.ts).
      const h = headOf(w);
      this.list.push(w);
      this.byId.set(h.id, w);
      if (h.aliases) for (const a of h.aliases) this.byId.set(a, w);
      this.byLabel.set(labelKeyOf(h), w);
      if (!h.who) continue;
      const k = `${h.who}|${h.year ?? 'nd'}`;
      const list = this.byAuthorYear.get(k);
      if (list) list.push(w);
      else this.byAuthorYear.set(k, [w]);
    }
  }

  /** The work with this citekey (its id or one of its aliases). */
  id(id: string): Work | undefined {
    return this.byId.get(id);
  }

  /** `Voronka 2019`, `Smith 2020a`, `Thompson n.d.` */
  label(label: string): Work | undefined {
    return this.byLabel.get(fold(label));
  }

  /** Works whose first author (or group) and year match; the year letter narrows when given. */
  authorYear(author: string, year: number | undefined, suffix?: string): Work[] {
    const list = this.byAuthorYear.get(`${fold(author)}|${year ?? 'nd'}`) ?? [];
    if (!suffix || list.length < 2) return list;
    const exact = list.filter((w) => w['citation-label'].endsWith(`${year ?? 'n.d.-'}${suffix}`));
    return exact.length ? exact : list;
  }
}

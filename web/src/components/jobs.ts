import { html } from 'lit';
import { must, type Schemas } from '../api/client.ts';
import { MutualfitPagedList } from './paged-list.ts';

export type Job = Schemas['Job'];

/** `detail` of `mutualfit-job-selected`. */
export interface JobSelectedDetail {
  jobId: string;
  job: Job;
}

/**
 * `<mutualfit-jobs>`: an employer's own jobs (`GET /v1/jobs` with the employer's session lists
 * only those), each with a button that selects it, for `<mutualfit-insights job-id>`.
 * Events: `mutualfit-jobs-loaded` ({ jobs }), `mutualfit-job-selected` ({ jobId, job }), and the shared ones.
 */
export class MutualfitJobs extends MutualfitPagedList<Job> {
  protected override async page(cursor: string | null) {
    const page = await must(
      this.api.GET('/v1/jobs', { params: { query: { limit: this.limit, ...(cursor ? { cursor } : {}) } } }),
    );
    return { items: page.jobs, nextCursor: page.nextCursor };
  }

  protected override loaded(jobs: Job[]): void {
    this.emit('mutualfit-jobs-loaded', { jobs });
  }

  override render() {
    if (!this.items) return this.pending('j.title');
    return html`
      <h2>${this.t('j.title')}</h2>
      <p class="muted">${this.t('j.intro')}</p>
      <div class="error" role="alert">${this.problem}</div>
      ${this.items.length === 0 ? html`<p>${this.t('j.none')}</p>` : ''}
      <ul class="plain">
        ${this.items.map(
          (job) => html`<li class="card">
            <h3>${job.title}</h3>
            <p class="muted">${this.t(job.status === 'open' ? 'j.open' : 'j.closed')}</p>
            <div class="actions">
              <button class="secondary" @click=${() => this.emit<JobSelectedDetail>('mutualfit-job-selected', { jobId: job.id, job })}>
                ${this.t('j.insights', { title: job.title })}
              </button>
            </div>
          </li>`,
        )}
      </ul>
      ${this.more('j.more')}
    `;
  }
}

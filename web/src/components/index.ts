// The components bundle (web/dist/mutualfit.js, served at /components/mutualfit.js): importing it
// defines every mutualfit element once.
import { MutualfitExplanation } from './explanation.ts';
import { MutualfitIntroduction } from './introduction.ts';
import { MutualfitMatches } from './matches.ts';
import { MutualfitPrivacy } from './privacy.ts';
import { MutualfitQuestionnaire } from './questionnaire.ts';

export { ApiError } from '../api/client.ts';
export {
  MutualfitExplanation,
  MutualfitIntroduction,
  MutualfitMatches,
  MutualfitPrivacy,
  MutualfitQuestionnaire,
};

const elements = {
  'mutualfit-questionnaire': MutualfitQuestionnaire,
  'mutualfit-matches': MutualfitMatches,
  'mutualfit-explanation': MutualfitExplanation,
  'mutualfit-introduction': MutualfitIntroduction,
  'mutualfit-privacy': MutualfitPrivacy,
};
for (const [name, element] of Object.entries(elements)) {
  if (!customElements.get(name)) customElements.define(name, element);
}

declare global {
  interface HTMLElementTagNameMap {
    'mutualfit-questionnaire': MutualfitQuestionnaire;
    'mutualfit-matches': MutualfitMatches;
    'mutualfit-explanation': MutualfitExplanation;
    'mutualfit-introduction': MutualfitIntroduction;
    'mutualfit-privacy': MutualfitPrivacy;
  }
}

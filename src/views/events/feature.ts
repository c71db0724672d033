/** What the Events view's commands act on: the shared services and this feature's own parts. */
import type { Services } from '../services';
import type { EventDocuments } from './eventDocuments';
import type { EventsSection, EventsView } from './eventsView';

export interface EventsFeature extends Services {
  /** Each shown cluster's model. */
  sections(): EventsSection[];
  view: EventsView;
  documents: EventDocuments;
}

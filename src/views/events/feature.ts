/** What the Events view's commands act on: the shared services and this feature's own parts. */
import type { EventsModel } from '../../model/eventsModel';
import type { Services } from '../services';
import type { EventDocuments } from './eventDocuments';
import type { EventsView } from './eventsView';

export interface EventsFeature extends Services {
  model: EventsModel;
  view: EventsView;
  documents: EventDocuments;
}

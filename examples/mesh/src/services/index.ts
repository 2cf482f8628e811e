/** The four services by name. */
import type { MeshClient, ServiceName, ServiceTable } from '../mesh.js';
import { blog } from './blog.js';
import { events } from './events.js';
import { market } from './market.js';
import { relations } from './relations.js';

/** Builds service `name`'s table; `peers` is how it calls the others. */
export function service(name: ServiceName, peers: MeshClient): ServiceTable {
  switch (name) {
    case 'blog':
      return blog(peers);
    case 'relations':
      return relations();
    case 'events':
      return events(peers);
    case 'market':
      return market(peers);
  }
}

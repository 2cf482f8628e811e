/**
 * events: meetups by tag, who goes to them, and the site's activity log (send_internal_activity
 * lands here). Its `upcoming` fragment asks relations for the viewer's friends, to say how many
 * of them are going.
 */
import { below, escape, eventId, pick, prose, random, sample, SIZE, TAGS, userId } from '../data.js';
import { int, text } from '../input.js';
import { MeshError, type Activity, type MeshClient, type MeshHandler, type ServiceTable, type TextHandler } from '../mesh.js';

interface Event {
  readonly id: string;
  readonly title: string;
  readonly tag: string;
  readonly day: number;
  readonly venue: string;
  readonly host: string;
  readonly attendees: readonly string[];
  readonly blurb: string;
}

const VENUES = ['the old library', 'Pier 4', 'the community garden', 'Café Lumen', 'the rail yard', 'Hall B'];

/** The most distinct activity types counted; more are counted under `other` (memory stays bounded). */
const MAX_TYPES = 64;

/** The events service's table; `peers` calls the other services. */
export function events(peers: MeshClient): ServiceTable {
  const next = random(0xe7e7);
  const everyone = Array.from({ length: SIZE.users }, (_, n) => userId(n));
  const all: Event[] = [];
  for (let n = 0; n < SIZE.events; n++) {
    const tag = TAGS[n % TAGS.length]!;
    all.push({
      id: eventId(n),
      title: `${tag.charAt(0).toUpperCase()}${tag.slice(1)} ${pick(next, ['night', 'walk', 'swap', 'club', 'workshop'])} #${n}`,
      tag,
      day: 1 + below(next, 365),
      venue: pick(next, VENUES),
      host: pick(next, everyone),
      attendees: sample(next, everyone, 10 + below(next, 41)),
      blurb: prose(next, 30),
    });
  }
  all.sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : 1));
  const byId = new Map(all.map((event) => [event.id, event]));
  const byTag = (tag: string, limit: number): Event[] => all.filter((event) => event.tag === tag).slice(0, limit);

  const data = new Map<string, MeshHandler>([
    ['by-tag', ({ input }) =>
      byTag(text(input, 'tag'), int(input, 'limit', 10, 1, 50)).map((event) => ({
        id: event.id,
        title: event.title,
        day: event.day,
        venue: event.venue,
        going: event.attendees.length,
      }))],
    ['event', ({ input }) => {
      const id = text(input, 'id');
      const event = byId.get(id);
      if (event === undefined) throw MeshError.notFound(`no event ${id}`);
      return { ...event };
    }],
  ]);

  const fragments = new Map<string, TextHandler>([
    ['upcoming', async ({ input }) => {
      const tag = text(input, 'tag');
      const viewer = text(input, 'viewer');
      const friends = (await peers.fetchData('relations', 'friends', { id: viewer, limit: 50 }).catch((error: unknown) => {
        if (error instanceof MeshError && error.status === 404) return [];
        throw error;
      })) as readonly { id: string }[];
      const ids = new Set(friends.map((friend) => friend.id));
      const items = byTag(tag, int(input, 'limit', 6, 1, 20)).map((event) => {
        const going = event.attendees.filter((id) => ids.has(id)).length;
        return (
          `<li><b>${escape(event.title)}</b> — day ${event.day} at ${escape(event.venue)}; ` +
          `${event.attendees.length} going${going > 0 ? `, ${going} of your friends` : ''}</li>`
        );
      });
      return `<section class="events"><h3>Upcoming: ${escape(tag)}</h3><ul>${items.join('')}</ul></section>`;
    }],
  ]);

  const counts = new Map<string, number>();
  return {
    name: 'events',
    data,
    actions: new Map(),
    fragments,
    pages: new Map(),
    activity: (activity: Activity) => {
      const type = counts.has(activity.type) || counts.size < MAX_TYPES ? activity.type : 'other';
      counts.set(type, (counts.get(type) ?? 0) + 1);
    },
  };
}

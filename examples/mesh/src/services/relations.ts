/**
 * relations: people and who follows whom. Answers profile lookups, follow checks, a person's
 * friends, the author card a post shows, and follow recommendations.
 */
import { escape, idNumber, isDeleted, personName, prose, random, sample, SIZE, userId, below } from '../data.js';
import { int, text, texts } from '../input.js';
import { MeshError, type Activity, type Fields, type MeshHandler, type ServiceTable, type TextHandler } from '../mesh.js';

interface User {
  readonly id: string;
  readonly name: string;
  readonly handle: string;
  readonly bio: string;
  readonly joined: number;
}

/** A user as other services see one in a list. */
function summary(user: User): Fields {
  return { id: user.id, name: user.name, handle: user.handle };
}

/** The relations service's table. */
export function relations(): ServiceTable {
  const next = random(0x7e1a);
  const users = new Map<string, User>();
  const following = new Map<string, readonly string[]>();
  const followers = new Map<string, number>();
  const everyone = Array.from({ length: SIZE.users }, (_, n) => userId(n));
  for (let n = 0; n < SIZE.users; n++) {
    const name = personName(next);
    const id = userId(n);
    const follows = sample(next, everyone, 10 + below(next, 41)).filter((other) => other !== id);
    following.set(id, follows);
    for (const other of follows) followers.set(other, (followers.get(other) ?? 0) + 1);
    const user = { id, name, handle: `@${name.toLowerCase().replace(' ', '.')}`, bio: prose(next, 25), joined: 2009 + below(next, 16) };
    if (!isDeleted(n)) users.set(id, user);
  }

  const user = (id: string): User => {
    const found = users.get(id);
    if (found === undefined) throw MeshError.notFound(Number.isNaN(idNumber(id, 'u')) ? `no user ${id}` : `user ${id} was deleted`);
    return found;
  };

  /** Friends of friends the viewer does not follow yet, best first; computed once per viewer, as a real site would cache it. */
  const suggested = new Map<string, readonly (readonly [string, number])[]>();
  const suggestions = (viewer: string): readonly (readonly [string, number])[] => {
    let list = suggested.get(viewer);
    if (list === undefined) {
      const known = new Set([viewer, ...(following.get(viewer) ?? [])]);
      const mutual = new Map<string, number>();
      for (const friend of following.get(viewer) ?? []) {
        for (const id of following.get(friend) ?? []) if (!known.has(id) && users.has(id)) mutual.set(id, (mutual.get(id) ?? 0) + 1);
      }
      list = [...mutual].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1)).slice(0, 50);
      // Bounded: only ids of the site's users reach here (`following` has no others).
      if (following.has(viewer)) suggested.set(viewer, list);
    }
    return list;
  };

  const data = new Map<string, MeshHandler>([
    ['user', ({ input }) => {
      const found = user(text(input, 'id'));
      return { ...summary(found), bio: found.bio, joined: found.joined, followers: followers.get(found.id) ?? 0 };
    }],
    // Several at once; the deleted are left out.
    ['users', ({ input }) => texts(input, 'ids').flatMap((id) => (users.has(id) ? [summary(users.get(id)!)] : []))],
    ['follows', ({ input }) => (following.get(text(input, 'from')) ?? []).includes(text(input, 'to'))],
    ['friends', ({ input }) => {
      const limit = int(input, 'limit', 20, 1, 50);
      return (following.get(user(text(input, 'id')).id) ?? []).filter((id) => users.has(id)).slice(0, limit).map((id) => summary(users.get(id)!));
    }],
  ]);

  const fragments = new Map<string, TextHandler>([
    ['author-card', ({ input }) => {
      const author = user(text(input, 'id'));
      const viewer = text(input, 'viewer', '');
      const followed = (following.get(viewer) ?? []).includes(author.id);
      return (
        `<aside class="author"><h3>${escape(author.name)} <small>${escape(author.handle)}</small></h3>` +
        `<p>${escape(author.bio)}</p><p>${followers.get(author.id) ?? 0} followers · since ${author.joined}` +
        `${followed ? ' · you follow them' : ''}</p></aside>`
      );
    }],
  ]);

  const actions = new Map<string, MeshHandler>([
    // People the viewer's friends follow, by how many of them do, then by id.
    ['recommend', ({ input }) => {
      const exclude = new Set(texts(input, 'exclude'));
      const limit = int(input, 'limit', 5, 1, 20);
      const picked: Fields[] = [];
      for (const [id, count] of suggestions(text(input, 'viewer'))) {
        if (picked.length === limit) break;
        if (!exclude.has(id)) picked.push({ ...summary(users.get(id)!), mutual: count });
      }
      return picked;
    }],
  ]);

  let activities = 0;
  return {
    name: 'relations',
    data,
    actions,
    fragments,
    pages: new Map(),
    activity: (_activity: Activity) => void activities++,
  };
}

/**
 * blog: posts and their comments, and the post page, which fans out across the mesh: about
 * twenty calls to relations, events and market (two of those call relations in turn), a 404 for
 * a sold listing rendered as a normal outcome, and a view activity delivered to events.
 */
import { below, escape, isSold, listingId, pick, prose, random, sample, SIZE, TAGS, userId } from '../data.js';
import { text } from '../input.js';
import { MeshError, type Data, type MeshClient, type MeshHandler, type ServiceTable, type TextHandler } from '../mesh.js';

interface Post {
  readonly id: string;
  readonly title: string;
  readonly author: string;
  readonly day: number;
  readonly tags: readonly string[];
  readonly paragraphs: readonly string[];
  /** Listings the post mentions: the last one is always sold by the time anyone reads it. */
  readonly listings: readonly string[];
  readonly comments: readonly { readonly author: string; readonly text: string }[];
}

interface Person {
  readonly id: string;
  readonly name: string;
  readonly handle: string;
}
interface Quote {
  readonly id: string;
  readonly text: string;
}
interface Item {
  readonly id: string;
  readonly title: string;
}
interface EventItem extends Item {
  readonly day: number;
  readonly venue: string;
  readonly going: number;
}

/** The id of post `n`. */
export const postId = (n: number): string => `p${n}`;

/** A name for someone the mesh answered 404 about. */
const FORMER = 'a former member';

/** The blog service's table; `peers` calls the other services. */
export function blog(peers: MeshClient): ServiceTable {
  const next = random(0xb10c);
  const everyone = Array.from({ length: SIZE.users }, (_, n) => userId(n));
  const posts = new Map<string, Post>();
  for (let n = 0; n < SIZE.posts; n++) {
    const forSale: string[] = [];
    while (forSale.length < 3) {
      const k = below(next, SIZE.listings);
      if (!isSold(k) && !forSale.includes(listingId(k))) forSale.push(listingId(k));
    }
    posts.set(postId(n), {
      id: postId(n),
      title: prose(next, 5).slice(0, -1),
      author: pick(next, everyone),
      day: 1 + below(next, 365),
      tags: sample(next, TAGS, 3),
      // Six paragraphs of about 100 words: a body of 3–4 KiB.
      paragraphs: Array.from({ length: 6 }, () => prose(next, 90 + below(next, 20))),
      listings: [...forSale, listingId(11 * below(next, SIZE.listings / 11) + 5)],
      comments: Array.from({ length: 10 + below(next, 21) }, () => ({ author: pick(next, everyone), text: prose(next, 8 + below(next, 20)) })),
    });
  }
  const post = (id: string): Post => {
    const found = posts.get(id);
    if (found === undefined) throw MeshError.notFound(`no post ${id}`);
    return found;
  };

  /** A peer's reply as the shape this page expects (the peers are ours; a real site would check). */
  const as = <T>(reply: Promise<Data>): Promise<T> => reply as Promise<unknown> as Promise<T>;

  /** A 404 from a peer as `fallback`; anything else goes on failing the page. */
  const orElse = <T>(call: Promise<Data>, fallback: T): Promise<T> =>
    (call as Promise<T>).catch((error: unknown) => {
      if (error instanceof MeshError && error.status === 404) return fallback;
      throw error;
    });

  const data = new Map<string, MeshHandler>([
    ['post', ({ input }) => {
      const { id, title, author, day, tags } = post(text(input, 'id'));
      return { id, title, author, day, tags: [...tags] };
    }],
  ]);

  const pages = new Map<string, TextHandler>([
    ['post', async ({ input }) => {
      const p = post(text(input, 'id'));
      const viewer = text(input, 'viewer');
      const currency = text(input, 'currency', 'EUR');
      const [tag0, tag1, tag2] = p.tags as [string, string, string];
      peers.sendActivity('events', { type: 'view', actor: viewer, object: `post/${p.id}` });

      // Everything that depends only on the post, at once.
      const [author, card, commenters, follows, upcoming, moreEvents, shop, recommended, ...mentioned] = await Promise.all([
        orElse<Person | null>(peers.fetchData('relations', 'user', { id: p.author }), null),
        orElse(peers.fetchFragment('relations', 'author-card', { id: p.author, viewer }), ''),
        as<Person[]>(peers.fetchData('relations', 'users', { ids: [...new Set(p.comments.map((c) => c.author))] })),
        as<boolean>(peers.fetchData('relations', 'follows', { from: viewer, to: p.author })),
        peers.fetchFragment('events', 'upcoming', { tag: tag0, viewer }),
        as<EventItem[]>(peers.fetchData('events', 'by-tag', { tag: tag1, limit: 10 })),
        as<Item[]>(peers.fetchData('market', 'by-tag', { tag: tag2, limit: 10 })),
        as<(Person & { mutual: number })[]>(peers.callAction('relations', 'recommend', { viewer, exclude: [p.author], limit: 5 })),
        ...p.listings.map((id) => orElse<Item | null>(peers.fetchData('market', 'listing', { id }), null)),
      ]);

      // Then what depends on those answers: prices and cards for what is still for sale.
      const available = mentioned.filter((item): item is Item => item !== null);
      const [quotes, ...cards] = await Promise.all([
        as<Quote[]>(peers.callAction('market', 'quote', { ids: [...available, ...shop].map((item) => item.id), currency })),
        ...available.map((item) => peers.fetchFragment('market', 'listing-card', { id: item.id, currency })),
      ]);

      const names = new Map(commenters.map((person) => [person.id, person.name]));
      const prices = new Map(quotes.map((quote) => [quote.id, quote.text]));
      const gone = mentioned.length - available.length;
      return [
        `<!doctype html><html><head><title>${escape(p.title)}</title></head><body>`,
        `<article><h1>${escape(p.title)}</h1>`,
        `<p class="byline">by ${escape(author?.name ?? FORMER)}${follows ? ' (you follow them)' : ''} · day ${p.day} · ${p.tags.map(escape).join(', ')}</p>`,
        ...p.paragraphs.map((paragraph) => `<p>${escape(paragraph)}</p>`),
        `</article>`,
        card,
        `<section class="comments"><h2>${p.comments.length} comments</h2><ul>`,
        ...p.comments.map((c) => `<li><b>${escape(names.get(c.author) ?? FORMER)}</b>: ${escape(c.text)}</li>`),
        `</ul></section>`,
        upcoming,
        `<section class="events"><h3>More ${escape(tag1)}</h3><ul>`,
        ...moreEvents.map((e) => `<li>${escape(e.title)}, day ${e.day} at ${escape(e.venue)} (${e.going} going)</li>`),
        `</ul></section>`,
        `<section class="shop"><h3>Mentioned in this post</h3>`,
        ...cards,
        gone > 0 ? `<p class="gone">${gone} of the things mentioned here ${gone === 1 ? 'has' : 'have'} been sold.</p>` : '',
        `<h3>More ${escape(tag2)} in the market</h3><ul>`,
        ...shop.map((item) => `<li>${escape(item.title)}: ${escape(prices.get(item.id) ?? 'sold')}</li>`),
        `</ul></section>`,
        `<section class="follow"><h3>People to follow</h3><ul>`,
        ...recommended.map((r) => `<li>${escape(r.name)} ${escape(r.handle)} (${r.mutual} friends follow them)</li>`),
        `</ul></section></body></html>`,
      ].join('\n');
    }],
  ]);

  let views = 0;
  return {
    name: 'blog',
    data,
    actions: new Map(),
    fragments: new Map(),
    pages,
    activity: () => void views++,
  };
}

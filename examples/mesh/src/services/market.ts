/**
 * market: listings for sale, by tag, with prices quoted in the viewer's currency. Its
 * `listing-card` fragment asks relations for the seller's name. Sold listings are a 404.
 */
import { below, escape, idNumber, isSold, listingId, money, pick, prose, random, RATES, sample, SIZE, TAGS, userId } from '../data.js';
import { int, text, texts } from '../input.js';
import { MeshError, type Data, type MeshClient, type MeshHandler, type ServiceTable, type TextHandler } from '../mesh.js';

interface Listing {
  readonly id: string;
  readonly title: string;
  readonly seller: string;
  /** The price in euro cents. */
  readonly cents: number;
  readonly tags: readonly string[];
  readonly blurb: string;
  readonly stock: number;
}

const THINGS = ['bicycle bell', 'rye starter', 'vinyl record', 'teapot', 'atlas', 'clay mug', 'wool scarf', 'field guide', 'camera', 'plant pot'];

/** The market service's table; `peers` calls the other services. */
export function market(peers: MeshClient): ServiceTable {
  const next = random(0x3a2c);
  const listings = new Map<string, Listing>();
  for (let n = 0; n < SIZE.listings; n++) {
    const listing: Listing = {
      id: listingId(n),
      title: `${pick(next, ['Old', 'Handmade', 'Rare', 'Tiny', 'Blue', 'Sturdy'])} ${pick(next, THINGS)}`,
      seller: userId(below(next, SIZE.users)),
      cents: 200 + below(next, 20_000),
      tags: sample(next, TAGS, 2),
      blurb: prose(next, 20),
      stock: 1 + below(next, 9),
    };
    if (!isSold(n)) listings.set(listing.id, listing);
  }
  const forSale = [...listings.values()];

  const listing = (id: string): Listing => {
    const found = listings.get(id);
    if (found === undefined) throw MeshError.notFound(Number.isNaN(idNumber(id, 'l')) ? `no listing ${id}` : `listing ${id} is sold`);
    return found;
  };
  /** A price in `currency`'s minor units (rounded: the mesh carries integers only). */
  const price = (cents: number, currency: string): number => {
    const rate = RATES.get(currency);
    if (rate === undefined) throw MeshError.badRequest(`unknown currency ${currency}`);
    return Math.round(cents * rate);
  };

  const data = new Map<string, MeshHandler>([
    ['listing', ({ input }) => ({ ...listing(text(input, 'id')) })],
    ['by-tag', ({ input }) => {
      const tag = text(input, 'tag');
      return forSale
        .filter((item) => item.tags.includes(tag))
        .slice(0, int(input, 'limit', 10, 1, 50))
        .map((item) => ({ id: item.id, title: item.title, cents: item.cents }));
    }],
  ]);

  const actions = new Map<string, MeshHandler>([
    // Prices of several listings in one currency; sold ones are left out.
    ['quote', ({ input }) => {
      const currency = text(input, 'currency', 'EUR');
      return texts(input, 'ids').flatMap((id): Data[] => {
        const found = listings.get(id);
        if (found === undefined) return [];
        const amount = price(found.cents, currency);
        return [{ id, amount, currency, text: money(amount, currency) }];
      });
    }],
  ]);

  const fragments = new Map<string, TextHandler>([
    ['listing-card', async ({ input }) => {
      const item = listing(text(input, 'id'));
      const currency = text(input, 'currency', 'EUR');
      const seller = (await peers.fetchData('relations', 'user', { id: item.seller }).catch((error: unknown) => {
        if (error instanceof MeshError && error.status === 404) return { name: 'a former member' };
        throw error;
      })) as { name: string };
      return (
        `<div class="listing"><h4>${escape(item.title)}</h4><p>${escape(item.blurb)}</p>` +
        `<p>${money(price(item.cents, currency), currency)} · ${item.stock} left · sold by ${escape(seller.name)}</p></div>`
      );
    }],
  ]);

  return { name: 'market', data, actions, fragments, pages: new Map(), activity: () => undefined };
}

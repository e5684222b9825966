import { ByteBudget } from '../../../src/support/byteBudget';

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('holds a taker back while its bytes would pass the limit, and lets it go once enough is given back', async () => {
  const budget = new ByteBudget(100);
  const order: string[] = [];
  await budget.take(60);
  const second = budget.take(30).then(() => order.push('30'));
  const third = budget.take(50).then(() => order.push('50')); // 60 + 30 + 50 = 140: waits
  await settle();
  expect(order).toEqual(['30']);
  expect(budget.taken).toBe(90);
  budget.give(60); // 30 + 50 = 80
  await Promise.all([second, third]);
  expect(order).toEqual(['30', '50']);
  expect(budget.taken).toBe(80);
});

test('one item larger than the limit goes when nothing else is in flight, and alone', async () => {
  const budget = new ByteBudget(100);
  await budget.take(250); // nothing in flight: it goes
  let small = false;
  const next = budget.take(1).then(() => (small = true));
  await settle();
  expect(small).toBe(false);
  budget.give(250);
  await next;
  expect(budget.taken).toBe(1);
});

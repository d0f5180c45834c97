/**
 * Money as Stripe and the API count it: an integer of the currency's minor unit (cents for USD, yen for JPY).
 * The number of decimals comes from Intl itself, so zero-decimal currencies are not divided by 100.
 */
export function money(amount: number, currency: string): string {
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** A day (invoice periods, due dates): no time of day, which Stripe's period boundaries do not mean. */
export const formatDay = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '—';

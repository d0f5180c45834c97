import type { Platform } from '../../shared/platform';
import { type ConsoleAssets, loadConsoleAssets } from './assets';

/**
 * What the console needs: its built assets (loaded once per process, on the first page asked for: processes
 * that never serve the console, such as tests of other functions, never build them) and whether the installation
 * offers development sign-in, which the sign-in screen shows (GET /auth/providers lists identity providers only).
 */
export type ConsoleDeps = { devLogin: boolean; assets: () => Promise<ConsoleAssets> };

export const fromPlatform = (p: Platform): ConsoleDeps => ({
  devLogin: p.env.HEXABASE_DEV_LOGIN,
  assets: loadConsoleAssets,
});

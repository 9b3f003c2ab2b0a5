import { rm } from 'node:fs/promises';
import { ExitCode } from '../exit-codes.js';
import { table } from '../output.js';
import { removeRecord, savedSignIn } from '../sign-in/authentication-record.js';
import { configFolder } from '../sign-in/config-folder.js';
import { forgetAccount, openTokenCache, tokenCacheFile } from '../sign-in/token-cache.js';
import { jsonLine } from '../terminal-text.js';
import type { Command } from './command.js';

/**
 * `sign-out`: forgets the device-code sign-in kept between runs: its account's tokens in the
 * encrypted store (other accounts and tools stay), the unencrypted cache file, and the saved
 * record. It sends nothing; the next `--auth device-code` asks for a code again.
 */
export const signOutCommand: Command<'sign-out', object> = {
  name: 'sign-out',
  arguments: [],
  help: {
    synopsis: 'usagebudget sign-out [options]',
    summary:
      "Forgets the sign-in of --auth device-code kept between runs: the account's tokens in the\n" +
      'encrypted store, the unencrypted cache file (USAGEBUDGET_TOKEN_CACHE=allow-unencrypted) and\n' +
      'the saved account record. The next --auth device-code asks for a code again. Nothing is sent\n' +
      '(the refresh token stays valid at Microsoft Entra ID until it expires or is revoked there).',
    examples: '  usagebudget sign-out\n  usagebudget sign-out --json',
  },
  parse: () => ({}),
  async run({ settings }, context) {
    const folder = configFolder(context.env);
    const saved = await savedSignIn(folder);
    if (saved) {
      const cache = await openTokenCache('encrypted', folder);
      if (cache.store === 'encrypted' && cache.plugin) await forgetAccount(cache.plugin, saved.homeAccountId);
    }
    // The unencrypted file is the CLI's alone: removed whole.
    await rm(tokenCacheFile(folder), { force: true });
    await removeRecord(folder);
    const user = saved?.username || null;
    context.write(
      settings.json
        ? jsonLine({ command: 'sign-out', signedOut: saved !== undefined, user, tenant: saved?.tenant ?? null })
        : table(
            [['Signed out', saved ? `${user ?? 'the saved account'} (tenant ${saved.tenant})` : 'no saved sign-in']],
            context.style,
          ),
    );
    return ExitCode.ok;
  },
};

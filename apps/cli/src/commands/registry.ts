import { applyCommand } from './apply.js';
import { clearCommand } from './clear.js';
import type { Call, Command } from './command.js';
import { customersCommand } from './customers.js';
import { getCommand } from './get.js';
import { listenCommand } from './listen.js';
import { partnerUsageCommand } from './partner-usage.js';
import { reportCommand } from './report.js';
import { setCommand } from './set.js';
import { signOutCommand } from './sign-out.js';
import { usageCommand } from './usage.js';
import { webhooksEventsCommand } from './webhooks-events.js';
import { webhooksRegisterCommand } from './webhooks-register.js';
import { webhooksShowCommand } from './webhooks-show.js';
import { webhooksStatusCommand } from './webhooks-status.js';
import { webhooksTestCommand } from './webhooks-test.js';
import { whoamiCommand } from './whoami.js';

/** Every command of `usagebudget`, in the order `--help` lists them. A new command is a line here. */
export const COMMANDS = [
  getCommand,
  setCommand,
  clearCommand,
  customersCommand,
  usageCommand,
  reportCommand,
  partnerUsageCommand,
  applyCommand,
  webhooksRegisterCommand,
  webhooksShowCommand,
  webhooksEventsCommand,
  webhooksTestCommand,
  webhooksStatusCommand,
  listenCommand,
  whoamiCommand,
  signOutCommand,
] as const;

type Registered = (typeof COMMANDS)[number];
export type CommandName = Registered['name'];

/** A command line that runs one of the {@link COMMANDS}, as its `parse` read it. */
export type AnyCall = Registered extends infer Each
  ? Each extends Command<infer Name, infer Args>
    ? Call<Name, Args>
    : never
  : never;

export function isCommand(word: string | undefined): word is CommandName {
  return COMMANDS.some((command) => command.name === word);
}

/** The commands of a group (`webhooks`: `webhooks register`, `webhooks show`...), in `--help`'s order. */
export function groupCommands(group: string): CommandName[] {
  return COMMANDS.map((command) => command.name).filter((name) => name.startsWith(`${group} `));
}

export function commandNamed(name: CommandName): Command<CommandName, object> {
  return COMMANDS.find((command) => command.name === name) as Command<CommandName, object>;
}

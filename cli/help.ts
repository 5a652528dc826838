/**
 * `--help` that says what must be given: required arguments and options are marked "(required)", optional
 * arguments "(optional)", and required options are spelled out in the usage line (commander shows only
 * "[options]" there, and marks neither).
 */
import { Help, type Argument, type Command, type Option } from 'commander';

export const helpConfiguration: Partial<Help> = {
  commandUsage(cmd: Command): string {
    const usage = Help.prototype.commandUsage.call(this, cmd);
    const required = cmd.options.filter((o) => o.mandatory).map((o) => o.flags.replace(/^-\w, /, ''));
    return required.length ? usage.replace('[options]', `${required.join(' ')} [options]`) : usage;
  },
  optionDescription(option: Option): string {
    const text = Help.prototype.optionDescription.call(this, option);
    return option.mandatory ? `(required) ${text}` : text;
  },
  argumentDescription(argument: Argument): string {
    const text = Help.prototype.argumentDescription.call(this, argument);
    return `${argument.required ? '(required)' : '(optional)'} ${text}`;
  },
};

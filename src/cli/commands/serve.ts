import { Command } from 'commander';
import { serve } from '../../serve.js';
import { configFrom, withSettings } from '../options.js';

export const serveCommand = withSettings(
  new Command('serve').description('serve the Machine API (the default command)'),
).action(async (options) => serve(configFrom(options)));

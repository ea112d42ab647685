import { ApiError, invalidInput } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { MachineAccess } from '../machines/machine-access.js';
import { paramValue } from './action-commands.js';
import type { ActionStore } from './action-ports.js';
import type { ActionService } from './action-service.js';
import { libraryFile } from './action-settings.js';
import { collectedFile, investigationPackage, scriptResult } from './device-artifacts.js';
import { PACKAGE_LINK_MS, RESULT_LINK_MS, type DownloadLinks, type DownloadTarget } from './download-links.js';

export interface Download {
  readonly contentType: string;
  readonly fileName: string;
  readonly body: Buffer;
}

/**
 * The two downloads of machine actions (spec section 4): the investigation package of a
 * succeeded collection, and the result of a completed RunScript or GetFile command. Links are
 * minted for a caller who may see the action; opening one needs only the link, as with the
 * real service's storage links, until it expires.
 */
export class ActionDownloads {
  constructor(
    private readonly actions: ActionService,
    private readonly access: MachineAccess,
    private readonly store: ActionStore,
    private readonly links: DownloadLinks,
  ) {}

  /** 404 until the collection has succeeded; a fresh link on every call. */
  async packageLink(principal: Principal, actionId: string): Promise<{ token: string; expiresAt: number }> {
    const view = await this.actions.get(principal, actionId);
    if (view.action.type !== 'CollectInvestigationPackage' || view.state.status !== 'Succeeded') {
      throw new ApiError('ResourceNotFound', `No investigation package is available for machine action ${view.action.id}.`);
    }
    return this.links.mint({ kind: 'package', tenantId: view.action.tenantId, actionId: view.action.id }, PACKAGE_LINK_MS);
  }

  /** The result of the command at `index` (from 0), once it has completed; PutFile has none. */
  async resultLink(principal: Principal, actionId: string, indexText: string | undefined): Promise<{ token: string; expiresAt: number }> {
    const index = Number(indexText);
    if (indexText === undefined || !/^\d{1,3}$/.test(indexText)) throw invalidInput('index must be the whole number of a command, from 0.');
    const view = await this.actions.get(principal, actionId);
    const command = view.action.commands[index];
    if (view.action.type !== 'LiveResponse' || !command) throw new ApiError('ResourceNotFound', `Machine action ${view.action.id} has no live-response command ${index}.`);
    if (command.type === 'PutFile') throw new ApiError('ResourceNotFound', `Command ${index} (PutFile) has no result to download.`);
    if (view.commands[index]?.status !== 'Completed') throw new ApiError('ResourceNotFound', `The result of command ${index} is not available: the command has not completed.`);
    return this.links.mint({ kind: 'result', tenantId: view.action.tenantId, actionId: view.action.id, index }, RESULT_LINK_MS);
  }

  /** What a link serves; 403 when it is not a link Rampart made, or has expired. */
  async open(token: string): Promise<Download> {
    const opened = this.links.open(token);
    // COMPAT: the real links are storage links answering 403 in XML; Rampart answers 403 in the envelope.
    if (!opened.ok) throw new ApiError('Forbidden', opened.reason === 'expired' ? 'The download link has expired.' : 'The download link is not valid.');
    return this.artifact(opened.target);
  }

  private async artifact(target: DownloadTarget): Promise<Download> {
    const scope = await this.access.visibility(target.tenantId, Number.NEGATIVE_INFINITY);
    const action = await this.store.getAction(scope, target.actionId);
    if (!action) throw new ApiError('ResourceNotFound', 'The download is no longer available.');
    const machine = await this.access.resolve(scope, action.machineId);
    if (target.kind === 'package') return { contentType: 'application/zip', fileName: `${machine.computerDnsName || machine.id}.zip`, body: investigationPackage(machine) };
    const command = action.commands[target.index];
    const path = command ? paramValue(command.params, command.type === 'GetFile' ? 'Path' : 'ScriptName') ?? '' : '';
    if (command?.type === 'GetFile') return { contentType: 'application/gzip', fileName: `${basename(path)}.gz`, body: collectedFile(machine, path) };
    const script = libraryFile(scope.tenant.actions, path) ?? { name: path };
    const result = scriptResult(machine, script, command ? paramValue(command.params, 'Args') : undefined);
    return { contentType: 'application/json; charset=utf-8', fileName: 'result.json', body: Buffer.from(JSON.stringify(result)) };
  }
}

const basename = (path: string): string => path.split(/[\\/]/).pop() || 'file';

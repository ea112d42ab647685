import type { OperationId } from '../api/operations.js';
import type { ActionType } from '../domain/actions/action-types.js';
import { invalidInput } from '../domain/errors.js';

/** What a console action asks for besides the comment, each one field of its confirm page. */
export type ActionField = 'isolationType' | 'scanType' | 'sha1' | 'script' | 'args' | 'path';

/**
 * A response action as the device page offers it: the operation-table row whose permission the
 * console checks, the action type the service creates, and the words of its button and
 * confirmation. Live response appears twice, as the two commands people run by hand.
 */
export interface ConsoleAction {
  /** The form value and the `done=` key of the device page. */
  readonly key: string;
  readonly operation: OperationId;
  readonly type: ActionType;
  /** The device page's button (an ellipsis: a confirmation follows) and the confirm button. */
  readonly label: string;
  readonly confirm: string;
  /** What the action does, on the confirm page. */
  readonly effect: string;
  readonly fields: readonly ActionField[];
}

const act = (key: string, operation: OperationId, type: ActionType, label: string, confirm: string, effect: string, fields: ActionField[] = []): ConsoleAction =>
  ({ key, operation, type, label, confirm, effect, fields });

export const CONSOLE_ACTIONS: readonly ConsoleAction[] = [
  act('isolate', 'Isolate', 'Isolate', 'Isolate device', 'Isolate', 'Cuts the device off the network except for Defender for Endpoint. Selective isolation keeps Outlook, Teams and Skype for Business working.', ['isolationType']),
  act('unisolate', 'Unisolate', 'Unisolate', 'Release from isolation', 'Release', 'Gives the device its network connections back.'),
  act('scan', 'RunAntiVirusScan', 'RunAntiVirusScan', 'Run antivirus scan', 'Scan', 'Runs a Microsoft Defender Antivirus scan on the device.', ['scanType']),
  act('restrict', 'RestrictCodeExecution', 'RestrictCodeExecution', 'Restrict app execution', 'Restrict', 'Lets the device run only applications signed by Microsoft.'),
  act('unrestrict', 'UnrestrictCodeExecution', 'UnrestrictCodeExecution', 'Remove app restriction', 'Remove restriction', 'Lets the device run any application again.'),
  act('collect', 'CollectInvestigationPackage', 'CollectInvestigationPackage', 'Collect investigation package', 'Collect', 'Collects a package of the device\'s processes, connections and programs to download once it succeeds.'),
  act('offboard', 'Offboard', 'Offboard', 'Offboard device', 'Offboard', 'The device stops reporting to Defender for Endpoint: its health becomes Inactive.'),
  act('quarantine', 'StopAndQuarantineFile', 'StopAndQuarantineFile', 'Stop and quarantine file', 'Quarantine', 'Stops every process running the file and quarantines it.', ['sha1']),
  act('run-script', 'RunLiveResponse', 'LiveResponse', 'Run live-response script', 'Run script', 'Runs a script of the tenant\'s live-response library on the device; its output can be downloaded once it completes.', ['script', 'args']),
  act('get-file', 'RunLiveResponse', 'LiveResponse', 'Get file (live response)', 'Get file', 'Collects a file from the device through a live-response session.', ['path']),
];

/** The device page's messages after a redirect: fixed text per key, never text from the URL. */
export const ACTION_DONE: Readonly<Record<string, string>> = {
  ...Object.fromEntries(CONSOLE_ACTIONS.map((a) => [`action-${a.key}`, `${a.label}: requested. Its status follows under Response actions.`])),
  'action-cancelled': 'Action cancelled.',
};

/** The fields of an action's confirm form as posted (a repeated field counts once). */
export type ActionForm = Partial<Record<ActionField | 'action' | 'comment' | 'confirm', unknown>>;

export const formText = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

export function consoleAction(key: unknown): ConsoleAction {
  const found = CONSOLE_ACTIONS.find((a) => a.key === formText(key));
  if (!found) throw invalidInput('Choose one of the response actions of the device page.');
  return found;
}

/** The form's values, to fill the confirm page again after a refusal. */
export const formValues = (form: ActionForm): Record<ActionField | 'comment', string> => ({
  comment: formText(form.comment),
  isolationType: formText(form.isolationType),
  scanType: formText(form.scanType),
  sha1: formText(form.sha1).trim(),
  script: formText(form.script),
  args: formText(form.args),
  path: formText(form.path).trim(),
});

/**
 * What the form still lacks before the service can judge it. Only the fields a live-response
 * command needs: the service would take an empty script name or path as a name, and let the
 * command fail on the device instead of asking.
 */
export function missingField(action: ConsoleAction, values: Record<ActionField, string>): string | undefined {
  if (action.fields.includes('script') && values.script === '') return 'Choose a script from the live-response library.';
  if (action.fields.includes('path') && values.path === '') return 'Enter the path of the file to collect.';
  return undefined;
}

/**
 * The body the Machine API takes for the action (spec section 1), keys exactly so: the service
 * parses and judges it as it does an API call's, so every refusal is the API's.
 */
export function actionBody(action: ConsoleAction, values: Record<ActionField | 'comment', string>): Record<string, unknown> {
  const base = { Comment: values.comment };
  switch (action.key) {
    case 'isolate':
      return { ...base, IsolationType: values.isolationType || 'Full' };
    case 'scan':
      return { ...base, ScanType: values.scanType || 'Quick' };
    case 'quarantine':
      return { ...base, Sha1: values.sha1 };
    case 'run-script': {
      const params = [{ key: 'ScriptName', value: values.script }, ...(values.args.trim() === '' ? [] : [{ key: 'Args', value: values.args }])];
      return { ...base, Commands: [{ type: 'RunScript', params }] };
    }
    case 'get-file':
      return { ...base, Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: values.path }] }] };
    default:
      return base;
  }
}

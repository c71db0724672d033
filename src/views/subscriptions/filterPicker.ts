/**
 * The guided Add Filter flow: a QuickPick of presets (one object, event types, kinds, owner,
 * owned by me, attribute/operator/value) that also takes raw Arvados filter JSON typed in. Bad
 * input is refused inline with the FilterError message; nothing changes until a valid filter is
 * accepted.
 */
import * as vscode from 'vscode';
import { describeFilter, filterWarnings, parseFilter, type CurrentUser, type Filter } from '../../arvados';
import {
  ATTRIBUTE_NAMES,
  conditionFilter,
  EVENT_TYPES,
  eventTypesFilter,
  kindChoices,
  kindsFilter,
  looksLikeFilterJson,
  objectFilter,
  OPERATOR_NAMES,
  ownerFilter,
} from '../../model/filterPresets';

const t = vscode.l10n.t;

export interface PickerContext {
  user?: CurrentUser;
  /** The uuid of the selected event, offered as the default object. */
  selectedUuid?: string;
}

type Step = 'object' | 'types' | 'kinds' | 'owner' | 'me' | 'condition' | 'json';

interface ChoiceItem extends vscode.QuickPickItem {
  step?: Step;
  filter?: Filter;
  invalid?: boolean;
}

/** What an input box shows for a candidate: the FilterError message, a warning, or nothing. */
function validation(build: () => Filter): string | vscode.InputBoxValidationMessage | undefined {
  try {
    const warnings = filterWarnings(build());
    return warnings.length ? { message: warnings.join(' '), severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

async function inputFilter(options: vscode.InputBoxOptions, build: (value: string) => Filter): Promise<Filter | undefined> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options, validateInput: (v) => validation(() => build(v)) });
  return value === undefined ? undefined : build(value);
}

function presetItems(ctx: PickerContext): ChoiceItem[] {
  const items: ChoiceItem[] = [
    { step: 'object', label: `$(symbol-key) ${t('Events about one object')}`, description: 'object_uuid = …' },
    { step: 'types', label: `$(symbol-event) ${t('Event types')}`, description: 'event_type in […]' },
    { step: 'kinds', label: `$(symbol-class) ${t('Object kinds')}`, description: 'object_uuid is_a …' },
    { step: 'owner', label: `$(folder) ${t('Objects owned by a project or user')}`, description: 'object_owner_uuid = …' },
  ];
  if (ctx.user) items.push({ step: 'me', label: `$(person) ${t('Objects owned by me')}`, description: ctx.user.username ?? ctx.user.uuid });
  items.push(
    { step: 'condition', label: `$(list-filter) ${t('Attribute, operator and value…')}` },
    { step: 'json', label: `$(json) ${t('Type a filter as JSON…')}`, description: '[["attribute","operator",value], …]' },
  );
  return items;
}

/** The first step: a preset, or typed JSON validated as it is typed. */
function firstStep(ctx: PickerContext): Promise<ChoiceItem | undefined> {
  const qp = vscode.window.createQuickPick<ChoiceItem>();
  qp.title = t('Add Filter');
  qp.placeholder = t('Choose what to follow, or type an Arvados filter as JSON, e.g. [["event_type","in",["update"]]]');
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = true;
  const presets = presetItems(ctx);
  qp.items = presets;
  return new Promise<ChoiceItem | undefined>((resolve) => {
    let done = false;
    const finish = (item: ChoiceItem | undefined) => {
      if (done) return;
      done = true;
      resolve(item);
      qp.hide();
    };
    qp.onDidChangeValue((value) => {
      if (!looksLikeFilterJson(value)) {
        if (qp.items !== presets) qp.items = presets;
        return;
      }
      try {
        const filter = parseFilter(value);
        const warnings = filterWarnings(filter);
        qp.items = [{ label: `$(check) ${t('Add this filter')}`, description: describeFilter(filter), detail: warnings.length ? `$(warning) ${warnings.join(' ')}` : undefined, filter, alwaysShow: true }];
      } catch (err) {
        qp.items = [{ label: `$(error) ${t('Invalid filter')}`, detail: (err as Error).message, invalid: true, alwaysShow: true }];
      }
    });
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      // An invalid filter is refused: the picker stays open with the reason shown.
      if (!item || item.invalid) return;
      finish(item);
    });
    qp.onDidHide(() => {
      finish(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

async function conditionStep(): Promise<Filter | undefined> {
  const PROPERTY = t('properties.<key>…');
  const attribute = await vscode.window.showQuickPick([...ATTRIBUTE_NAMES, PROPERTY], { title: t('Add Filter: attribute'), ignoreFocusOut: true });
  if (!attribute) return undefined;
  let name = attribute;
  if (attribute === PROPERTY) {
    const key = await vscode.window.showInputBox({
      title: t('Add Filter: property'),
      prompt: t('A key of the event properties, e.g. new_attributes.state'),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : t('Type a key without spaces, e.g. new_attributes.state')),
    });
    if (!key) return undefined;
    name = `properties.${key.trim()}`;
  }
  const operator = await vscode.window.showQuickPick([...OPERATOR_NAMES], { title: t('Add Filter: {0} …', name), ignoreFocusOut: true });
  if (!operator) return undefined;
  return inputFilter(
    { title: t('Add Filter: {0} {1} …', name, operator), prompt: t('The value: text, a number, JSON, or for "in" a comma-separated list') },
    (v) => conditionFilter(name, operator, v),
  );
}

/** Runs the flow; resolves with a valid, normalized filter, or undefined when cancelled. */
export async function pickFilter(ctx: PickerContext): Promise<Filter | undefined> {
  const choice = await firstStep(ctx);
  if (!choice) return undefined;
  if (choice.filter) return choice.filter;
  switch (choice.step) {
    case 'object':
      return inputFilter(
        { title: t('Add Filter: events about one object'), prompt: t('The UUID of the object'), placeHolder: 'zzzzz-xvhdp-0123456789abcde', value: ctx.selectedUuid },
        (v) => objectFilter(v),
      );
    case 'types': {
      const picked = await vscode.window.showQuickPick(EVENT_TYPES.map((label) => ({ label })), {
        title: t('Add Filter: event types'),
        canPickMany: true,
        ignoreFocusOut: true,
      });
      return picked?.length ? eventTypesFilter(picked.map((p) => p.label)) : undefined;
    }
    case 'kinds': {
      const picked = await vscode.window.showQuickPick(kindChoices().map(({ kind, words }) => ({ label: words, description: kind, arvadosKind: kind })), {
        title: t('Add Filter: object kinds'),
        canPickMany: true,
        ignoreFocusOut: true,
      });
      return picked?.length ? kindsFilter(picked.map((p) => p.arvadosKind)) : undefined;
    }
    case 'owner':
      return inputFilter(
        { title: t('Add Filter: objects owned by'), prompt: t('The UUID of a project or user'), placeHolder: 'zzzzz-j7d0g-0123456789abcde' },
        (v) => ownerFilter(v),
      );
    case 'me':
      return ctx.user ? ownerFilter(ctx.user.uuid) : undefined;
    case 'condition':
      return conditionStep();
    case 'json':
      return inputFilter(
        { title: t('Add Filter: JSON'), prompt: t('An Arvados filter: a list of [attribute, operator, value] conditions'), placeHolder: '[["event_type","in",["create","update"]]]' },
        (v) => parseFilter(v),
      );
    default:
      return undefined;
  }
}

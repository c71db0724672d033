/**
 * A workspace asking for another cluster. `arvados.apiHost` and `arvados.insecure` are
 * machine-scoped: VS Code ignores a workspace's value, and readSettings reads the user's own
 * only. A repository's `.vscode/settings.json` (or `.code-workspace`) that names another host is
 * still read here, to ask the user first, in a modal naming that host, before anything is sent
 * there:
 * - declined (or dismissed): the user's own cluster; the workspace's host gets nothing;
 * - accepted (remembered for this workspace): that host, with a token bound to it only (stored
 *   for it, asked for with Set API Token when there is none), TLS always verified.
 * A workspace's `arvados.insecure` is never applied. In Restricted Mode the request is ignored.
 */
import * as vscode from 'vscode';
import { normalizeApiHost, sameHost, type Logger } from '../../arvados';
import type { HostChooser } from '../../model/connection';
import { parseJsonc, settingValue } from '../../model/jsonc';
import { SECTION } from '../settings';

const t = vscode.l10n.t;

/** workspaceState: the workspace host the user accepted. */
const ACCEPTED_KEY = 'arvados.acceptedWorkspaceHost';

export interface WorkspaceRequest {
  host: string;
  /** The settings file that asks, for the log and the modal. */
  where: string;
}

export class WorkspaceCluster implements vscode.Disposable {
  /** The host the last connection attempt chose (for Set API Token). */
  chosen?: string;
  private readonly declined = new Set<string>();
  private readonly asking = new Map<string, Promise<boolean>>();
  private readonly noted = new Set<string>();
  private lastRequested?: string;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a workspace settings file now asks for another host than before. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly logger: Logger,
    /** Asks for a token for that host (Set API Token). */
    private readonly askToken: (host: string) => Promise<void>,
  ) {
    // VS Code sends no configuration change for a machine-scoped value in a workspace file.
    const recheck = () => {
      const before = this.lastRequested;
      void this.requested().then((r) => {
        if (r?.host !== before) this.changed.fire();
      });
    };
    for (const glob of ['**/.vscode/settings.json', '**/*.code-workspace']) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      this.disposables.push(watcher, watcher.onDidChange(recheck), watcher.onDidCreate(recheck), watcher.onDidDelete(recheck));
    }
    // Trusted now: a request ignored in Restricted Mode may be asked.
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  /** The host the workspace's settings ask for, if any (valid hosts only). */
  async requested(): Promise<WorkspaceRequest | undefined> {
    const found = await this.readRequest();
    this.lastRequested = found?.host;
    return found;
  }

  /** For createOpener: the user's own host, or the workspace's once the user said yes. */
  readonly choose: HostChooser = async (own, hasToken) => {
    const request = await this.requested();
    let host = own;
    if (request && !sameHost(request.host, own)) {
      if (!vscode.workspace.isTrusted) {
        this.note(`restricted:${request.host}`, `Ignoring arvados.apiHost ${request.host} from ${request.where}: the workspace is not trusted`);
      } else if (sameHost(this.state.get<string>(ACCEPTED_KEY), request.host)) {
        this.note(`accepted:${request.host}`, `Using ${request.host}, asked for by ${request.where}: accepted before for this workspace`, 'info');
        host = request.host;
      } else if (!this.declined.has(request.host.toLowerCase())) {
        if (await this.ask(request, own)) {
          await this.state.update(ACCEPTED_KEY, request.host);
          this.logger.info(`Using ${request.host}, asked for by ${request.where}: accepted`);
          host = request.host;
          if (!(await hasToken(host))) await this.askToken(host);
        } else {
          this.declined.add(request.host.toLowerCase());
          this.logger.info(`Not using ${request.host}, asked for by ${request.where}: declined${own ? `; staying on ${own}` : ''}`);
        }
      }
    }
    this.chosen = host;
    return host;
  };

  /**
   * The user chose their own cluster (Set Cluster): forget an accepted workspace host, and do
   * not ask about the workspace's host again in this window. True when the workspace's host
   * was the one in use.
   */
  async preferOwn(): Promise<boolean> {
    const accepted = this.state.get<string>(ACCEPTED_KEY);
    if (accepted) await this.state.update(ACCEPTED_KEY, undefined);
    const request = await this.requested();
    if (request) this.declined.add(request.host.toLowerCase());
    return !!accepted && sameHost(this.chosen, accepted);
  }

  private ask(request: WorkspaceRequest, own: string | undefined): Promise<boolean> {
    // One question at a time per host, however many connection attempts wait for it.
    const key = request.host.toLowerCase();
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.showModal(request, own).finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  private async showModal(request: WorkspaceRequest, own: string | undefined): Promise<boolean> {
    const CONNECT = t('Connect to {0}', request.host);
    const STAY = own ? t('Stay on {0}', own) : undefined;
    const detail = own
      ? t('Its settings ({0}) set arvados.apiHost. Your API token for {1} is never sent to {2}: it needs a token of its own. Its arvados.insecure, if any, is ignored.', request.where, own, request.host)
      : t('Its settings ({0}) set arvados.apiHost. {1} needs an API token of its own. Its arvados.insecure, if any, is ignored.', request.where, request.host);
    // The safe answer first: it is the default button.
    const items = STAY ? [STAY, CONNECT] : [CONNECT];
    const choice = await vscode.window.showWarningMessage(t('This workspace asks to connect to the Arvados cluster {0}. Connect to it?', request.host), { modal: true, detail }, ...items);
    return choice === CONNECT;
  }

  private async readRequest(): Promise<WorkspaceRequest | undefined> {
    const files: vscode.Uri[] = [];
    const workspaceFile = vscode.workspace.workspaceFile;
    if (workspaceFile && workspaceFile.scheme !== 'untitled') files.push(workspaceFile);
    for (const folder of vscode.workspace.workspaceFolders ?? []) files.push(vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'));
    // Values VS Code itself shows as a workspace's (were the settings ever not machine-scoped).
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('apiHost');
    const fromApi = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
    if (typeof fromApi === 'string' && fromApi.trim()) return this.validated(fromApi, t('workspace settings'));
    for (const uri of files) {
      let parsed: unknown;
      try {
        parsed = parseJsonc(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      } catch {
        continue;
      }
      const settings = uri === workspaceFile ? settingValue(parsed, 'settings') : parsed;
      const where = vscode.workspace.asRelativePath(uri, true);
      if (settingValue(settings, `${SECTION}.insecure`) !== undefined) {
        this.note(`insecure:${where}`, `Ignoring arvados.insecure from ${where}: TLS trust is set in user settings only`);
      }
      const value = settingValue(settings, `${SECTION}.apiHost`);
      if (typeof value === 'string' && value.trim()) return this.validated(value, where);
    }
    return undefined;
  }

  private validated(value: string, where: string): WorkspaceRequest | undefined {
    try {
      return { host: normalizeApiHost(value), where };
    } catch (err) {
      this.note(`invalid:${where}`, `Ignoring arvados.apiHost from ${where}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Logs a line once per window. */
  private note(key: string, line: string, level: 'info' | 'warn' = 'warn'): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.logger[level](line);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

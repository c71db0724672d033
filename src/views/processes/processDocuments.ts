/**
 * "Show Details" of a process: a read-only Markdown document, `arvados-process://<host>/<uuid>.md`,
 * whose URI names the cluster and the request. It is read afresh when opened, and follows the
 * tree's changes while it is open.
 */
import * as vscode from 'vscode';
import { t } from '../../model/l10n';
import { processDetails } from '../../model/processes/presentation';
import type { ProcessTree } from '../../model/processes/tree';
import { PROCESS_SCHEME } from '../ids';

export class ProcessDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    /** The tree and Workbench URL of the cluster on `host` (the URI's authority). */
    private readonly clusterOn: (host: string) => { tree: ProcessTree; workbenchUrl?: string } | undefined,
  ) {
    this.disposables = [vscode.workspace.registerTextDocumentContentProvider(PROCESS_SCHEME, this)];
  }

  /** A tree changed: open documents follow their process (at the tree's pace: at most 4 times a second). */
  treeChanged(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === PROCESS_SCHEME && !doc.isClosed) this.changeEmitter.fire(doc.uri);
  }

  static uriFor(host: string, uuid: string): vscode.Uri {
    return vscode.Uri.from({ scheme: PROCESS_SCHEME, authority: host, path: `/${uuid}.md` });
  }

  static uuidOf(uri: vscode.Uri): string | undefined {
    return /^\/([a-z0-9]{5}-xvhdp-[a-z0-9]{15})\.md$/.exec(uri.path)?.[1];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const uuid = ProcessDocuments.uuidOf(uri);
    const cluster = this.clusterOn(uri.authority);
    const node = uuid ? cluster?.tree.node(uuid) : undefined;
    if (!cluster || !node) return `# ${uuid ?? uri.path}\n\n${t('This process is not in the Processes view (any more).')}\n`;
    return processDetails(cluster.tree, node, Date.now(), cluster.workbenchUrl);
  }

  async open(host: string, uuid: string): Promise<void> {
    try {
      await this.clusterOn(host)?.tree.refresh(uuid);
    } catch (err) {
      void vscode.window.showWarningMessage(t('Could not read {0} now: {1}. Showing what is known.', uuid, (err as Error).message));
    }
    const uri = ProcessDocuments.uriFor(host, uuid);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    this.changeEmitter.fire(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
  }
}

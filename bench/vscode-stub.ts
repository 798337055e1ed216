/**
 * A stand-in for the `vscode` module, enough to require dist/extension.js and call activate()
 * outside an editor (for the activation-time figure). Known API pieces behave minimally; any
 * other property is a permissive proxy (callable, constructible, not thenable).
 */
import * as path from 'path';

type Any = Record<string | symbol, unknown>;

function generic(name = 'vscode'): unknown {
  const fn = function () {};
  return new Proxy(fn, {
    get(_t, prop): unknown {
      if (prop === 'then') return undefined;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === 'dispose') return () => {};
      if (prop === 'toString') return () => `[stub ${name}]`;
      if (typeof prop === 'symbol') return undefined;
      return generic(`${name}.${prop}`);
    },
    apply: () => generic(`${name}()`),
    construct: () => generic(`new ${name}`) as object,
  });
}

/** Wraps an object so unknown properties fall back to a generic stub. */
function lenient<T extends object>(obj: T, name: string): T {
  return new Proxy(obj, {
    get(t, prop): unknown {
      if (prop in t) return (t as Any)[prop];
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return generic(`${name}.${prop}`);
    },
  });
}

class Disposable {
  constructor(private fn?: () => void) {}
  static from(...ds: { dispose?: () => void }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d?.dispose?.()));
  }
  dispose(): void {
    this.fn?.();
    this.fn = undefined;
  }
}
const noopDisposable = () => new Disposable(() => {});
const event = () => () => noopDisposable();

class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (l: (e: T) => void): Disposable => {
    this.listeners.add(l);
    return new Disposable(() => this.listeners.delete(l));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  readonly fsPath: string;
  readonly authority = '';
  readonly query = '';
  readonly fragment = '';
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {
    this.fsPath = path;
  }
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  static parse(s: string): Uri {
    const m = /^(\w+):\/\/(.*)$/.exec(s);
    return m ? new Uri(m[1], m[2]) : new Uri('file', s);
  }
  static from(c: { scheme?: string; path?: string }): Uri {
    return new Uri(c.scheme ?? 'file', c.path ?? '');
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, path.posix.join(u.path, ...parts));
  }
  with(c: { scheme?: string; path?: string }): Uri {
    return new Uri(c.scheme ?? this.scheme, c.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c ?? 0, d ?? 0) : (b as Position);
  }
}
class Simple {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    this.args = args;
  }
}
class MarkdownString extends Simple {
  appendMarkdown(): this {
    return this;
  }
  appendText(): this {
    return this;
  }
}

const outputChannel = () => lenient({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, append() {}, appendLine() {}, show() {}, clear() {}, dispose() {} }, 'OutputChannel');
const watcher = () => lenient({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose() {} }, 'FileSystemWatcher');

/**
 * Top-level names of the VS Code API. The bundle copies the module's own keys (esbuild's
 * __toESM), so a name must exist on the stub, not just be answered by the proxy.
 */
const API_NAMES =
  'authentication chat commands comments debug env extensions l10n languages lm notebooks scm tasks tests window workspace version ' +
  'CallHierarchyItem CancellationError CancellationTokenSource CodeAction CodeActionKind CodeActionTriggerKind CodeLens Color ColorInformation ColorPresentation ColorThemeKind ' +
  'CommentMode CommentThreadCollapsibleState CompletionItem CompletionItemKind CompletionItemTag CompletionList CompletionTriggerKind ConfigurationTarget CustomExecution ' +
  'DataTransfer DataTransferItem DecorationRangeBehavior Diagnostic DiagnosticRelatedInformation DiagnosticSeverity DiagnosticTag Disposable DocumentHighlight ' +
  'DocumentHighlightKind DocumentLink DocumentSymbol EndOfLine EventEmitter ExtensionKind ExtensionMode FileChangeType FileDecoration FileSystemError FileType FoldingRange ' +
  'FoldingRangeKind Hover InlayHint InlayHintKind InlineCompletionItem LanguageStatusSeverity Location LogLevel MarkdownString NotebookCellKind OverviewRulerLane ' +
  'ParameterInformation Position ProgressLocation QuickInputButtons QuickPickItemKind Range RelativePattern Selection SelectionRange SemanticTokens SemanticTokensBuilder ' +
  'SemanticTokensLegend SignatureHelp SignatureInformation SnippetString SnippetTextEdit StatusBarAlignment SymbolInformation SymbolKind SymbolTag Tab TabInputCustom ' +
  'TabInputText TabInputTextDiff TabInputWebview TextDocumentChangeReason TextDocumentSaveReason TextEdit TextEditorCursorStyle TextEditorLineNumbersStyle ' +
  'TextEditorRevealType TextEditorSelectionChangeKind ThemeColor ThemeIcon TreeItem TreeItemCheckboxState TreeItemCollapsibleState TypeHierarchyItem UIKind Uri ViewColumn WorkspaceEdit';

function withAllNames<T extends object>(obj: T): T {
  for (const name of API_NAMES.split(' ')) if (!(name in obj)) (obj as Any)[name] = generic(`vscode.${name}`);
  return obj;
}

export const vscode = lenient(
  withAllNames({
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection: Range,
    TreeItem: Simple,
    ThemeIcon: Object.assign(class ThemeIcon extends Simple {}, { File: new Simple('file'), Folder: new Simple('folder') }),
    ThemeColor: Simple,
    MarkdownString,
    CompletionItem: Simple,
    CompletionList: Simple,
    Hover: Simple,
    Diagnostic: Simple,
    RelativePattern: Simple,
    SnippetString: Simple,
    TextEdit: Simple,
    WorkspaceEdit: Simple,
    FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    CompletionItemKind: new Proxy({}, { get: () => 0 }),
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    workspace: lenient(
      {
        workspaceFolders: undefined,
        textDocuments: [],
        getConfiguration: () => lenient({ get: (_k: string, d?: unknown) => d, has: () => false, inspect: () => undefined, update: async () => {} }, 'WorkspaceConfiguration'),
        onDidChangeConfiguration: event(),
        onDidChangeWorkspaceFolders: event(),
        onDidOpenTextDocument: event(),
        onDidChangeTextDocument: event(),
        onDidCloseTextDocument: event(),
        onDidSaveTextDocument: event(),
        findFiles: async () => [],
        createFileSystemWatcher: watcher,
        asRelativePath: (p: string | Uri) => (typeof p === 'string' ? p : p.fsPath),
        fs: lenient({ readDirectory: async () => [], stat: async () => ({ type: 1, size: 0, mtime: 0 }), readFile: async () => new Uint8Array() }, 'workspace.fs'),
      },
      'workspace',
    ),
    window: lenient(
      {
        createOutputChannel: outputChannel,
        createTreeView: () => lenient({ visible: true, onDidChangeVisibility: event(), onDidChangeSelection: event(), onDidExpandElement: event(), onDidCollapseElement: event(), reveal: async () => {}, dispose() {} }, 'TreeView'),
        visibleTextEditors: [],
        activeTextEditor: undefined,
        onDidChangeActiveTextEditor: event(),
        onDidChangeVisibleTextEditors: event(),
        onDidChangeTextEditorSelection: event(),
        setStatusBarMessage: noopDisposable,
        createStatusBarItem: () => lenient({ show() {}, hide() {}, dispose() {} }, 'StatusBarItem'),
        showErrorMessage: async () => undefined,
        showWarningMessage: async () => undefined,
        showInformationMessage: async () => undefined,
      },
      'window',
    ),
    languages: lenient(
      {
        registerCompletionItemProvider: noopDisposable,
        registerHoverProvider: noopDisposable,
        registerDefinitionProvider: noopDisposable,
        createDiagnosticCollection: () => lenient({ set() {}, delete() {}, clear() {}, dispose() {} }, 'DiagnosticCollection'),
      },
      'languages',
    ),
    commands: lenient({ registerCommand: noopDisposable, executeCommand: async () => undefined }, 'commands'),
    env: lenient({ clipboard: { writeText: async () => {} }, openExternal: async () => true }, 'env'),
  }),
  'vscode',
);

export interface StubContext {
  subscriptions: { dispose(): unknown }[];
  [k: string]: unknown;
}

/** An ExtensionContext with the fields the extension reads; storage in `storage`. */
export function stubContext(root: string, storage: string): StubContext {
  const memento = () => ({ get: (_k: string, d?: unknown) => d, update: async () => {}, keys: () => [] });
  return lenient(
    {
      subscriptions: [] as { dispose(): unknown }[],
      extensionUri: Uri.file(root),
      extensionPath: root,
      globalStorageUri: Uri.file(path.join(storage, 'global')),
      storageUri: Uri.file(path.join(storage, 'workspace')),
      logUri: Uri.file(path.join(storage, 'log')),
      globalState: memento(),
      workspaceState: memento(),
      extensionMode: 1,
      asAbsolutePath: (p: string) => path.join(root, p),
    },
    'ExtensionContext',
  );
}

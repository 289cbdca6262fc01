declare module 'ansi-html-community' {
  interface AnsiHtml {
    (text: string): string;
    setColors(colors: Record<string, string | string[]>): void;
  }
  const ansiHTML: AnsiHtml;
  export default ansiHTML;
}

declare module 'sockjs-client' {
  /** The slice of sockjs-client's browser API the SockJS transport uses. */
  class SockJS {
    constructor(url: string);
    onopen: (() => void) | null;
    onclose: (() => void) | null;
    onmessage: ((event: { data: unknown }) => void) | null;
    /** 0 connecting, 1 open, 2 closing, 3 closed. */
    readonly readyState: number;
    send(data: string): void;
    close(): void;
  }
  export default SockJS;
}

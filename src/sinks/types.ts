/**
 * What every transport (RabbitMQ, HTTP, stdout) offers the send pipeline: publish message bodies, then
 * wait until the peer has confirmed every one of them. A body is only "sent" once confirmed; the
 * pipeline marks a directory processed only after `confirmAll` resolved.
 */

export interface OutgoingMessage {
  /**
   * The message body (for tstat: a JSON array of up to 100 objects). The transport may hold on to it
   * until it is written; the producer never writes into it again.
   */
  body: Buffer;
  /**
   * Called (once) when the transport is done with `body` (written to the OS, or copied): its memory may
   * then be reused. Transports that cannot tell never call it.
   */
  release?: () => void;
  /** Stable id (hash of directory + slice index) so a receiver can drop a resent duplicate. */
  messageId: string;
}

export interface SinkCounters {
  published: number;
  confirmed: number;
  /** Bytes of the bodies published. */
  bytes: number;
  /** Connections (re)opened, the first one included. */
  connections: number;
}

export interface MessageSink {
  readonly counters: SinkCounters;
  /**
   * Hands a message to the transport. Resolves when the transport can take the next one (back-pressure),
   * not when it is confirmed. Rejects on a transport failure.
   */
  publish(message: OutgoingMessage): Promise<void>;
  /** Resolves once every message published so far is confirmed; rejects if any was refused or lost. */
  confirmAll(): Promise<void>;
  /**
   * Called before a failed batch is resent: reconnects (with back-off) when the connection dropped.
   * Returns false when the failure is not one a resend can cure.
   */
  recover(error: unknown): Promise<boolean>;
  close(): Promise<void>;
}

/** Back-off delay before attempt `attempt` (1-based): base × 2^(attempt-1), capped. */
export function backoffDelay(attempt: number, baseMs: number, capMs = 10_000): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

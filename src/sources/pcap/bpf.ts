/**
 * Real BPF filtering: tcpdump (libpcap's compiler) turns the expression into a classic BPF program for the
 * capture's link type (`tcpdump -ddd -y <DLT> EXPR`), and a small interpreter of the classic BPF
 * instruction set runs it over each packet, as the kernel would. Nothing of the filter language is
 * reimplemented here: only the virtual machine.
 */
import { spawnSync } from 'node:child_process';
import { MissingToolError, UsageError } from '../../model/errors.js';
import { tcpdumpLinkTypeName } from './linktypes.js';

/** A compiled classic BPF program, one typed array per instruction field. */
export interface BpfProgram {
  expression: string;
  linkType: number;
  code: Uint16Array;
  jt: Uint8Array;
  jf: Uint8Array;
  k: Uint32Array;
}

/** Parses tcpdump's `-ddd` output: the instruction count, then `code jt jf k` per line (decimal). */
export function parseBpfDecimal(text: string, expression: string, linkType: number): BpfProgram {
  const lines = text.trim().split('\n');
  const count = Number(lines[0]);
  if (!Number.isInteger(count) || count < 1 || lines.length !== count + 1) {
    throw new UsageError(`cannot read the BPF program tcpdump compiled for "${expression}"`);
  }
  const program: BpfProgram = {
    expression,
    linkType,
    code: new Uint16Array(count),
    jt: new Uint8Array(count),
    jf: new Uint8Array(count),
    k: new Uint32Array(count),
  };
  for (let i = 0; i < count; i++) {
    const fields = lines[i + 1]!.trim().split(/\s+/).map(Number);
    if (fields.length !== 4 || fields.some((field) => !Number.isInteger(field))) {
      throw new UsageError(`cannot read the BPF program tcpdump compiled for "${expression}"`);
    }
    program.code[i] = fields[0]!;
    program.jt[i] = fields[1]!;
    program.jf[i] = fields[2]!;
    program.k[i] = fields[3]! >>> 0;
  }
  return program;
}

/**
 * Compiles `expression` for `linkType` with tcpdump.
 *
 * @example
 * const program = compileBpf('udp and host 192.0.2.1', 1);
 * if (runBpf(program, frame.data, frame.offset, frame.capturedLength, frame.wireLength)) count(frame);
 */
export function compileBpf(expression: string, linkType: number, tcpdump = 'tcpdump'): BpfProgram {
  const name = tcpdumpLinkTypeName(linkType);
  if (name === undefined) throw new UsageError(`--bpf: no BPF compiler for link type ${linkType}`);
  const result = spawnSync(tcpdump, ['-ddd', '-y', name, expression], { encoding: 'utf8' });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MissingToolError('tcpdump', 'tcpdump');
    throw new UsageError(`--bpf: running tcpdump failed: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const reason = (result.stderr ?? '').trim().split('\n').pop() ?? '';
    throw new UsageError(`--bpf: bad filter expression "${expression}": ${reason.replace(/^tcpdump: /, '')}`);
  }
  return parseBpfDecimal(result.stdout, expression, linkType);
}

const BPF_LD = 0x00;
const BPF_LDX = 0x01;
const BPF_ST = 0x02;
const BPF_STX = 0x03;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_MISC = 0x07;

const memory = new Uint32Array(16);

function load(data: Buffer, start: number, length: number, at: number, size: number): number {
  // Out-of-packet loads (including Linux ancillary offsets) reject the packet, as the kernel does.
  if (at < 0 || at + size > length) return -1;
  const p = start + at;
  if (size === 4) return ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
  if (size === 2) return (data[p]! << 8) | data[p + 1]!;
  return data[p]!;
}

/**
 * Runs `program` over the captured bytes `data[start, start + capturedLength)`; `wireLength` is what
 * `len` loads see. Returns the accept length: 0 means the packet is rejected.
 */
export function runBpf(
  program: BpfProgram,
  data: Buffer,
  start: number,
  capturedLength: number,
  wireLength: number,
): number {
  const { code, jt, jf, k } = program;
  let a = 0;
  let x = 0;
  let pc = 0;
  for (;;) {
    const op = code[pc]!;
    const constant = k[pc]!;
    switch (op & 0x07) {
      case BPF_LD: {
        const mode = op & 0xe0;
        const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : 1;
        if (mode === 0x00) a = constant;
        else if (mode === 0x20 || mode === 0x40) {
          const value = load(
            data,
            start,
            capturedLength,
            mode === 0x20 ? constant : (x + constant) >>> 0,
            size,
          );
          if (value < 0) return 0;
          a = value;
        } else if (mode === 0x60) a = memory[constant & 15]!;
        else if (mode === 0x80) a = wireLength;
        else return 0;
        break;
      }
      case BPF_LDX: {
        const mode = op & 0xe0;
        if (mode === 0x00) x = constant;
        else if (mode === 0x60) x = memory[constant & 15]!;
        else if (mode === 0x80) x = wireLength;
        else if (mode === 0xa0) {
          // MSH: x = 4 * (P[k] & 0xf), the IPv4 header length
          const value = load(data, start, capturedLength, constant, 1);
          if (value < 0) return 0;
          x = (value & 0x0f) << 2;
        } else return 0;
        break;
      }
      case BPF_ST:
        memory[constant & 15] = a;
        break;
      case BPF_STX:
        memory[constant & 15] = x;
        break;
      case BPF_ALU: {
        const operand = op & 0x08 ? x : constant;
        switch (op & 0xf0) {
          case 0x00:
            a = (a + operand) >>> 0;
            break;
          case 0x10:
            a = (a - operand) >>> 0;
            break;
          case 0x20:
            a = Math.imul(a, operand) >>> 0;
            break;
          case 0x30:
            if (operand === 0) return 0;
            a = Math.floor(a / operand) >>> 0;
            break;
          case 0x40:
            a = (a | operand) >>> 0;
            break;
          case 0x50:
            a = (a & operand) >>> 0;
            break;
          case 0x60:
            a = operand >= 32 ? 0 : (a << operand) >>> 0;
            break;
          case 0x70:
            a = operand >= 32 ? 0 : a >>> operand;
            break;
          case 0x80:
            a = -a >>> 0;
            break;
          case 0x90:
            if (operand === 0) return 0;
            a = (a % operand) >>> 0;
            break;
          case 0xa0:
            a = (a ^ operand) >>> 0;
            break;
          default:
            return 0;
        }
        break;
      }
      case BPF_JMP: {
        const operation = op & 0xf0;
        if (operation === 0x00) {
          pc += constant;
          break;
        }
        const operand = op & 0x08 ? x : constant;
        let taken: boolean;
        if (operation === 0x10) taken = a === operand;
        else if (operation === 0x20) taken = a > operand;
        else if (operation === 0x30) taken = a >= operand;
        else if (operation === 0x40) taken = (a & operand) !== 0;
        else return 0;
        pc += taken ? jt[pc]! : jf[pc]!;
        break;
      }
      case BPF_RET: {
        const source = op & 0x18;
        return source === 0x00 ? constant : source === 0x10 ? a : x;
      }
      case BPF_MISC:
        if ((op & 0xf8) === 0x00) x = a;
        else a = x;
        break;
    }
    pc++;
    if (pc >= code.length) return 0;
  }
}

/** Compiles lazily per link type (pcapng files may mix them) and filters frames. */
export class BpfFilter {
  private readonly programs = new Map<number, BpfProgram>();

  constructor(
    readonly expression: string,
    private readonly tcpdump = 'tcpdump',
  ) {}

  /** Compiles for `linkType` now (so a bad expression fails before any packet is read). */
  prepare(linkType: number): void {
    if (!this.programs.has(linkType))
      this.programs.set(linkType, compileBpf(this.expression, linkType, this.tcpdump));
  }

  matches(
    linkType: number,
    data: Buffer,
    start: number,
    capturedLength: number,
    wireLength: number,
  ): boolean {
    let program = this.programs.get(linkType);
    if (program === undefined) {
      program = compileBpf(this.expression, linkType, this.tcpdump);
      this.programs.set(linkType, program);
    }
    return runBpf(program, data, start, capturedLength, wireLength) !== 0;
  }
}

/** Errors the store raises, with the Kubernetes reason and HTTP code the admin API answers with. */
export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'MethodNotAllowed';

const HTTP_CODE: Record<StoreErrorReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  MethodNotAllowed: 405,
};

/** One failure of a store operation; `causes` carries field-level validation errors when reason is Invalid. */
export class StoreError extends Error {
  readonly reason: StoreErrorReason;
  readonly code: number;
  readonly causes: ReadonlyArray<{ field: string; message: string }>;
  constructor(reason: StoreErrorReason, message: string, causes: ReadonlyArray<{ field: string; message: string }> = []) {
    super(message);
    this.name = 'StoreError';
    this.reason = reason;
    this.code = HTTP_CODE[reason];
    this.causes = causes;
  }
}

// The values set/get/delete return, exactly as the specification writes them.

export interface NotFoundResult {
  readonly error: 'not_found';
}
export interface UserRequiredResult {
  readonly error: 'user_required';
}
export interface DeletedResult {
  readonly deleted: true;
}

/** Fresh objects each time, so a caller that mutates one cannot change the next. */
export const notFoundResult = (): NotFoundResult => ({ error: 'not_found' });
export const userRequiredResult = (): UserRequiredResult => ({ error: 'user_required' });
export const deletedResult = (): DeletedResult => ({ deleted: true });

export type SetOutcome = string | UserRequiredResult;
export type GetOutcome = string | NotFoundResult | UserRequiredResult;
export type DeleteOutcome = DeletedResult | NotFoundResult | UserRequiredResult;

/**
 * Drop the thinking blocks of earlier turns. All of them: on models that bind thinking to its prefix, keeping
 * a later block after dropping an earlier one would be rejected. If an open tool loop then lacks the thinking
 * block the API expects, thinking is switched off for this request (see conversation.ts).
 */
import { dropThinkingFrom, withMessages } from '../conversation.js';
import type { Action } from '../types.js';

export function dropThinking(): Action {
  return (target) => {
    const messages = dropThinkingFrom(target.body.messages);
    if (messages.every((m, i) => m === target.body.messages[i])) return target;
    return { ...target, body: withMessages(target.body, messages) };
  };
}

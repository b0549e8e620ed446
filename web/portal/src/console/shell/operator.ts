/** The logged-in operator, for the pages that need it (the dictation links to Odoo with odoo_url). */
import { createContext, useContext } from 'react';
import type { ConsoleMe } from '../console-client';

export const OperatorContext = createContext<ConsoleMe | null>(null);

export function useOperator(): ConsoleMe | null {
  return useContext(OperatorContext);
}

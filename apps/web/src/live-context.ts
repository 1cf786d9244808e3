import { createContext, useContext } from 'react';
import type { Live } from './live.ts';

export const LiveContext = createContext<Live | null>(null);
export const useLiveContext = (): Live | null => useContext(LiveContext);

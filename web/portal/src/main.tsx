import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { SharedAppointment } from './SharedAppointment';
import { ConsoleApp } from './console/ConsoleApp';
import './styles.css';

const SHARED_PATH = /^\/portal\/shared\/([A-Za-z0-9_-]{20,100})\/?$/;

const root = document.getElementById('root');
if (root) {
  const shared = SHARED_PATH.exec(window.location.pathname);
  const isConsole = /^\/console(\/|$)/.test(window.location.pathname);
  createRoot(root).render(<StrictMode>{isConsole ? <ConsoleApp /> : shared ? <SharedAppointment token={shared[1]!} /> : <App />}</StrictMode>);
}

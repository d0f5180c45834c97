import { render } from 'preact';
import { App } from './app';
import { applyStoredTheme } from './components/theme';
import './styles.css';

applyStoredTheme();
const root = document.getElementById('app');
if (root) render(<App />, root);

// esbuild bundles the stylesheet main.tsx imports into app-[hash].css.
declare module '*.css';

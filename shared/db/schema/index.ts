export * from './billing';
export * from './identity';
export * from './ops';
export * from './orgs';
export * from './usage';
export * from './workspaces';

// A reducer whose latest state is readable at once: several keys can arrive
// before React renders again, and each must act on the state the previous
// one left, not on the state of the last render.

import {useCallback, useRef, useState} from 'react';

export const useRefReducer = <S, A>(reducer: (state: S, action: A) => S, initial: S | (() => S)) => {
	const ref = useRef<S | undefined>(undefined);
	if (ref.current === undefined) ref.current = typeof initial === 'function' ? (initial as () => S)() : initial;
	const [state, setState] = useState<S>(ref.current);
	const dispatch = useCallback(
		(action: A) => {
			const next = reducer(ref.current as S, action);
			if (next === ref.current) return;
			ref.current = next;
			setState(next);
		},
		[reducer],
	);
	const get = useCallback(() => ref.current as S, []);
	return [state, dispatch, get] as const;
};
